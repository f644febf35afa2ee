import ArgumentParser
import Seamless
import SeamlessCLI
import SeamlessCrypto

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node folder: configuration, signing key and SQLite database.",
        discussion: """
            Writes DIR/node.json, DIR/keys/node.key.pem (0600), DIR/keys/node.pub.pem and DIR/node.sqlite.
            Refuses to touch a folder that already holds a node.

            Example:
              exchange-node init --dir nodes/public-security --id gov.public-security --algorithm sm2 \\
                  --member gov.civil-affairs --member gov.human-resources
            """
    )

    @Option(help: "The folder to create the node in.")
    var dir: String

    @Option(help: "The node id, e.g. gov.public-security.")
    var id: String

    @Option(help: "ed25519 (default), p256 or sm2.")
    var algorithm: String = "ed25519"

    @Option(name: .customLong("member"), help: "Another federation member's node id; repeat for several.")
    var members: [String] = []

    @Option(help: "Where `serve` will listen, HOST:PORT (e.g. 127.0.0.1:8443).")
    var listen: String?

    @Option(
        help:
            "A PostgreSQL database instead of the node's SQLite file: postgres://user[:password]@host:port/db (for several replicas of one node)."
    )
    var database: String?

    func run() async throws {
        guard let algorithm = SignatureAlgorithm(commandLineName: algorithm) else {
            throw CommandFailure.usage("unknown algorithm '\(self.algorithm)'; use ed25519, p256 or sm2")
        }
        if let database, !(database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")) {
            throw CommandFailure.usage("--database takes a postgres:// URL; without it the node uses its SQLite file")
        }
        let (node, key) = try NodeDirectory.create(
            at: dir, id: id, algorithm: algorithm, members: members, listen: listen, database: database)
        var event = node.event(.keyRotation)
        event.keyID = key.kid
        do {
            try await node.record(event, in: try await node.store())
        } catch {
            // The database could not be reached or written (a wrong PostgreSQL URL or password): leave
            // nothing behind, so the same command can be run again once it is fixed.
            node.discardCreated()
            throw error
        }
        print("created node \(node.configuration.id) in \(dir)")
        print("  key       \(algorithm) \(key.kid) (\(node.configuration.key))")
        print("  database  \(database == nil ? node.configuration.database : "PostgreSQL")")
        print("  members   \(node.configuration.members.joined(separator: ", "))")
        if let listen { print("  listen    \(listen) (serve needs a federation: exchange-node federation install)") }
    }
}
