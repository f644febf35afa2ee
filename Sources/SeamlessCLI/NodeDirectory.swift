import Foundation
import Logging
import Seamless
import SeamlessCrypto
import SeamlessPostgres

/// `node.json`: what `exchange-node init` writes into a node folder.
public struct NodeConfiguration: Codable, Sendable, Hashable {
    /// The node id.
    public var id: String
    /// The signing algorithm (JWS name).
    public var algorithm: String
    /// The private key, relative to the node folder.
    public var key: String
    /// The public key, relative to the node folder.
    public var publicKey: String
    /// The SQLite database, relative to the node folder.
    public var database: String
    /// The federation's member nodes, until a signed federation file replaces this list.
    public var members: [String]
    /// Where `serve` listens, `HOST:PORT` (port 0: any free port).
    public var listen: String?
    /// The signed federation file and the authority key that signs it, relative to the node folder.
    public var federation: FederationSettings?

    /// Where the federation file is and who may sign it.
    public struct FederationSettings: Codable, Sendable, Hashable {
        /// The signed federation file.
        public var file: String
        /// The federation authority's public key (SPKI PEM).
        public var authorityKey: String

        /// Creates settings.
        public init(file: String, authorityKey: String) {
            self.file = file
            self.authorityKey = authorityKey
        }
    }

    /// Creates a configuration.
    public init(
        id: String, algorithm: String, key: String, publicKey: String, database: String, members: [String],
        listen: String? = nil, federation: FederationSettings? = nil
    ) {
        self.id = id
        self.algorithm = algorithm
        self.key = key
        self.publicKey = publicKey
        self.database = database
        self.members = members
        self.listen = listen
        self.federation = federation
    }
}

/// A node folder: `node.json`, `keys/`, and the node's SQLite file.
public struct NodeDirectory: Sendable {
    /// The folder.
    public let path: String
    /// Its configuration.
    public let configuration: NodeConfiguration

    static let configurationFile = "node.json"

    /// Opens an existing node folder.
    public static func open(_ path: String) throws -> NodeDirectory {
        let file = (path as NSString).appendingPathComponent(configurationFile)
        guard FileManager.default.fileExists(atPath: file) else {
            throw CommandFailure.usage(
                "'\(path)' is not a node folder (no node.json); create one with `exchange-node init --dir \(path) --id NODE-ID`"
            )
        }
        let bytes = try Files.read(file, limit: 1 << 20, what: "node configuration")
        do {
            return NodeDirectory(
                path: path, configuration: try JSONDecoder().decode(NodeConfiguration.self, from: Data(bytes)))
        } catch {
            throw CommandFailure.io("'\(file)' is not a readable node configuration: \(error)")
        }
    }

    /// Creates a node folder with a fresh key and an empty database. Refuses to touch an existing node.
    public static func create(
        at path: String, id: String, algorithm: SignatureAlgorithm, members: [String], listen: String? = nil,
        database: String? = nil
    ) throws -> (NodeDirectory, PrivateKey) {
        guard NodeID.isValid(id) else {
            throw CommandFailure.usage(
                "'\(id)' is not a node id: 2–63 characters of a-z, 0-9, '.' and '-', starting with a letter or digit")
        }
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(configurationFile)) {
            throw CommandFailure.refused("'\(path)' already holds a node; nothing was changed")
        }
        if let listen { _ = try Self.listenAddress(listen) }
        let configuration = NodeConfiguration(
            id: id, algorithm: algorithm.jwsName, key: "keys/node.key.pem", publicKey: "keys/node.pub.pem",
            database: database ?? "node.sqlite", members: Array(Set(members + [id])).sorted(), listen: listen
        )
        let directory = NodeDirectory(path: path, configuration: configuration)
        // A failed init removes what it wrote (`discardCreated`), so it must not start over files it did not
        // write: a key or database left from an earlier node is refused, never overwritten or removed.
        let leftovers = directory.createdFiles.filter { FileManager.default.fileExists(atPath: directory.resolve($0)) }
        guard leftovers.isEmpty else {
            throw CommandFailure.refused(
                "'\(path)' already holds \(leftovers.joined(separator: ", ")) from an earlier node; move them away or init another folder; nothing was changed"
            )
        }
        try Files.makeDirectory((path as NSString).appendingPathComponent("keys"))
        // The folder holds the private key: only its owner may list or enter it.
        chmod((path as NSString).appendingPathComponent("keys"), 0o700)
        let key = try PrivateKey.generate(algorithm)
        do {
            try Files.write(
                try key.pemRepresentation, to: directory.resolve(configuration.key), permissions: 0o600,
                overwrite: false)
            try Files.write(
                key.publicKey.pemRepresentation, to: directory.resolve(configuration.publicKey), permissions: 0o644,
                overwrite: false)
            if database == nil {
                do {
                    _ = try SQLiteStore(path: directory.resolve(configuration.database))
                } catch {
                    throw CommandFailure.io("\(error)")
                }
            }
            try directory.save(configuration, overwrite: false)
        } catch {
            directory.discardCreated()
            throw error
        }
        return (directory, key)
    }

    /// Removes what ``create(at:id:algorithm:members:listen:database:)`` wrote (the folder stays), so that an
    /// `init` that failed half-way can simply be run again.
    public func discardCreated() {
        for file in createdFiles { try? FileManager.default.removeItem(atPath: resolve(file)) }
        rmdir(resolve("keys"))  // only if nothing else is in it
    }

    /// The files `create` writes: node.json, the key pair and, for SQLite, the database with its companions.
    var createdFiles: [String] {
        let database =
            configuration.database.contains("://")
            ? [] : ["", "-wal", "-shm", "-journal"].map { configuration.database + $0 }
        return [Self.configurationFile, configuration.key, configuration.publicKey] + database
    }

    /// Writes `configuration` as the folder's `node.json`: readable by its owner only when its database URL
    /// holds a password.
    public func save(_ configuration: NodeConfiguration, overwrite: Bool = true) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let holdsPassword = URLComponents(string: configuration.database)?.password != nil
        try Files.write(
            String(decoding: try encoder.encode(configuration), as: UTF8.self) + "\n",
            to: resolve(Self.configurationFile), permissions: holdsPassword ? 0o600 : 0o644, overwrite: overwrite)
    }

    /// `HOST:PORT` split, or a usage error naming what is wrong.
    public static func listenAddress(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port), colon > text.startIndex
        else {
            throw CommandFailure.usage("'\(text)' is not HOST:PORT (e.g. 127.0.0.1:8443; port 0 for any free port)")
        }
        return (String(text[..<colon]), port)
    }

    /// The signed federation file the node trusts, verified with the authority key.
    public func federation() throws -> Federation {
        try federation(configuration.federation)
    }

    /// Where `federation install` puts the federation file and the authority's key.
    public static let installedFederation = NodeConfiguration.FederationSettings(
        file: "federation.json", authorityKey: "keys/federation-authority.pub.pem")

    /// The settings of the federation installed in the folder: node.json's, or, when node.json names none
    /// but the file `federation install` writes is there (node.json restored from an older backup or
    /// edited), those of that file.
    public var installedFederationSettings: NodeConfiguration.FederationSettings? {
        configuration.federation
            ?? (FileManager.default.fileExists(atPath: resolve(Self.installedFederation.file))
                ? Self.installedFederation : nil)
    }

    /// The federation file named by `settings`, verified with the authority key they name.
    public func federation(_ settings: NodeConfiguration.FederationSettings?) throws -> Federation {
        guard let settings else {
            throw CommandFailure.usage(
                "\(configuration.id) has no federation yet; install one with `exchange-node federation install --node \(path) --file FEDERATION --authority-key PEM`"
            )
        }
        let authority: PublicKey
        do {
            authority = try PublicKey(
                pemRepresentation: try Files.readText(resolve(settings.authorityKey), what: "federation authority key"))
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.io("'\(settings.authorityKey)' is not a public key: \(error)")
        }
        let bytes = try Files.read(resolve(settings.file), limit: 32 << 20, what: "federation file")
        do {
            return try Federation.open(bytes, authority: authority)
        } catch {
            throw CommandFailure.refused("\(settings.file): \(error)")
        }
    }

    /// Installs a verified federation file (its signed `bytes`) and the authority's key into the node
    /// folder and points node.json at them, with the federation's members and, if given, a listen address.
    /// The caller checks that the file may replace the installed one (``Federation/checkReplaces(_:)``).
    public func install(
        _ federation: Federation, signed bytes: [UInt8], authority: PublicKey, listen: String? = nil
    ) throws {
        let settings = Self.installedFederation
        try Files.write(
            String(decoding: bytes, as: UTF8.self), to: resolve(settings.file), permissions: 0o644, overwrite: true)
        try Files.write(
            authority.pemRepresentation, to: resolve(settings.authorityKey), permissions: 0o644, overwrite: true)
        var configuration = configuration
        configuration.federation = settings
        configuration.members = federation.members.map(\.id).sorted()
        if let listen { configuration.listen = listen }
        try save(configuration)
    }

    /// A path inside the node folder.
    public func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : (path as NSString).appendingPathComponent(relative)
    }

    /// The node's store: its SQLite file, or the PostgreSQL database `database` names with a
    /// `postgres://` URL (for several replicas sharing one database). A PostgreSQL store is migrated and
    /// its connection pool runs until the process ends.
    public func store() async throws -> any Store {
        let database = configuration.database
        if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
            var logger = Logger(label: "exchange-node.postgres")
            logger.logLevel = .warning
            do {
                let store = try PostgresStore(url: database, logger: logger)
                Task.detached { await store.run() }
                try await store.migrate()
                return store
            } catch {
                throw CommandFailure.io("the node's PostgreSQL database cannot be used: \(error)")
            }
        }
        do {
            return try SQLiteStore(path: resolve(database))
        } catch {
            throw CommandFailure.io("\(error)")
        }
    }

    /// The node's signing key.
    public func privateKey() throws -> PrivateKey {
        let path = resolve(configuration.key)
        let text = try Files.readText(path, what: "node signing key")
        do {
            return try PrivateKey(pemRepresentation: text)
        } catch {
            throw CommandFailure.io("'\(path)' is not a usable signing key: \(error)")
        }
    }

    /// The node's audit log over `store`.
    public func auditLog(_ store: any Store) async throws -> AuditLog {
        try await AuditLog(store: store, node: configuration.id, signer: try privateKey())
    }

    /// Appends one event to the node's audit log over `store`, returning its sequence number. Opening the
    /// log reads every leaf hash: for several events, open ``auditLog(_:)`` once instead.
    @discardableResult
    public func record(_ event: AuditEvent, in store: any Store) async throws -> Int {
        try await auditLog(store).append(event)
    }

    /// An event of `kind` by this node, now.
    public func event(_ kind: AuditEvent.Kind, at moment: Timestamp = .now) -> AuditEvent {
        AuditEvent(kind: kind, at: moment, node: configuration.id)
    }

    /// The federation members the node knows.
    public var members: Set<String> { Set(configuration.members) }
}
