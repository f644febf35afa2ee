import Foundation
import SeamlessCrypto

/// The federation file: which departments take part, where their nodes listen and which keys they sign
/// with, signed by the federation authority. A node accepts signatures only from keys listed here, for the
/// node they are listed under, within their validity.
public struct Federation: Sendable, Hashable, Codable {
    /// A member's signing key.
    public struct MemberKey: Sendable, Hashable, Codable {
        /// The algorithm.
        public var algorithm: SignatureAlgorithm
        /// The kid (must be the key's own).
        public var kid: String
        /// SPKI PEM.
        public var publicKey: String
        /// The first moment the key may sign.
        public var validFrom: Timestamp?
        /// The moment after which it may not.
        public var validUntil: Timestamp?

        /// Creates a key entry from a public key.
        public init(_ key: PublicKey, validFrom: Timestamp? = nil, validUntil: Timestamp? = nil) {
            self.algorithm = key.algorithm
            self.kid = key.kid
            self.publicKey = key.pemRepresentation
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }

    /// A department's node.
    public struct Member: Sendable, Hashable, Codable {
        /// The node id.
        public var id: String
        /// The department's name, for people.
        public var name: String
        /// The node's base URL, e.g. `http://127.0.0.1:8443` (paths `/v1/…` are below it).
        public var endpoint: String
        /// Its signing keys.
        public var keys: [MemberKey]

        /// Creates a member.
        public init(id: String, name: String, endpoint: String, keys: [MemberKey]) {
            self.id = id
            self.name = name
            self.endpoint = endpoint
            self.keys = keys
        }
    }

    /// The federation's id (a node-id-like name, e.g. `gov.example-city`); the `aud` of its file.
    public var federation: String
    /// Increases with every new file; a node never goes back to a lower version.
    public var version: Int
    /// When the authority signed it.
    public var issuedAt: Timestamp
    /// The members.
    public var members: [Member]

    /// Creates a federation.
    public init(federation: String, version: Int, issuedAt: Timestamp, members: [Member]) {
        self.federation = federation
        self.version = version
        self.issuedAt = issuedAt
        self.members = members
    }

    /// The most members a federation file may list.
    public static let maxMembers = 10_000

    /// The member with id `id`.
    public func member(_ id: String) -> Member? {
        members.first { $0.id == id }
    }

    /// The member ids.
    public var memberIDs: Set<String> { Set(members.map(\.id)) }

    /// Refuses to replace `installed` with this file unless it is newer, or the same file again.
    /// - Throws: ``FederationError/Code/rolledBack`` for an older version; ``FederationError/Code/invalid``
    ///   for the same version with other content.
    public func checkReplaces(_ installed: Federation) throws(FederationError) {
        guard version >= installed.version else {
            throw FederationError(
                .rolledBack,
                "the node has version \(installed.version) of the federation; this file is version \(version)")
        }
        guard version > installed.version || self == installed else {
            throw FederationError(
                .invalid,
                "version \(version) of the federation differs from the one the node has; a changed file needs a new version"
            )
        }
    }

    /// The trust store of every member key, bound to its node and validity.
    public func trustStore() throws(FederationError) -> TrustStore {
        var store = TrustStore()
        for member in members {
            for entry in member.keys {
                let key: PublicKey
                do {
                    key = try PublicKey(pemRepresentation: entry.publicKey)
                } catch {
                    throw FederationError(.badKey, "the key \(entry.kid) of \(member.id) cannot be read: \(error)")
                }
                guard key.kid == entry.kid, key.algorithm == entry.algorithm else {
                    throw FederationError(
                        .badKey,
                        "the federation lists kid \(entry.kid) (\(entry.algorithm)) for \(member.id), but its key is \(key.kid) (\(key.algorithm))"
                    )
                }
                store.add(
                    TrustedKey(
                        key, nodeID: member.id, validFrom: entry.validFrom?.date, validUntil: entry.validUntil?.date))
            }
        }
        return store
    }

    /// Everything wrong with the document, or nothing.
    public func problems() -> [String] {
        var problems: [String] = []
        if !NodeID.isValid(federation) { problems.append("'\(federation)' is not a valid federation id") }
        if version < 1 { problems.append("the version must be 1 or more") }
        if members.isEmpty || members.count > Self.maxMembers {
            problems.append("a federation has 1…\(Self.maxMembers) members")
        }
        var seen = Set<String>()
        for member in members {
            if !NodeID.isValid(member.id) { problems.append("'\(member.id)' is not a node id") }
            // Refusals of requests whose sender is unknown are addressed to "unknown".
            if member.id == "unknown" { problems.append("'unknown' is reserved and cannot be a member") }
            if !seen.insert(member.id).inserted { problems.append("\(member.id) is listed twice") }
            if let url = URL(string: member.endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.query == nil
            {
            } else {
                problems.append("the endpoint '\(member.endpoint)' of \(member.id) is not an http(s) base URL")
            }
            if member.keys.isEmpty { problems.append("\(member.id) has no key") }
            for key in member.keys {
                if let from = key.validFrom, let until = key.validUntil, from >= until {
                    problems.append("the key \(key.kid) of \(member.id) is valid until before it is valid from")
                }
            }
        }
        return problems
    }

    /// Signs the file with the authority key.
    public func sealed(by authority: PrivateKey, authorityID: String) throws -> [UInt8] {
        let problems = problems()
        guard problems.isEmpty else {
            throw FederationError(.invalid, "the federation cannot be signed: " + problems.joined(separator: "; "))
        }
        let sealer = try EnvelopeSealer(key: authority, issuer: authorityID)
        return try sealer.seal(
            canonicalJSON: try CanonicalJSON.encode(self), type: .federation, audience: federation,
            issuedAt: issuedAt.date
        ).bytes
    }

    /// Opens a federation file: its signature must verify with `authority`, and the document must be whole.
    public static func open(_ bytes: [UInt8], authority: PublicKey) throws(FederationError) -> Federation {
        let opener = EnvelopeOpener(
            trust: TrustStore([TrustedKey(authority)]), audience: .any, acceptedTypes: [.federation], time: .ignore,
            limits: .init(maxEnvelopeBytes: 32 << 20))
        let opened: OpenedEnvelope
        do {
            opened = try opener.open(bytes)
        } catch {
            throw FederationError(.notSigned, "the federation file is not signed by the federation authority: \(error)")
        }
        let federation: Federation
        do {
            federation = try opened.decode(Federation.self)
        } catch {
            throw FederationError(.invalid, "the federation file's content cannot be read: \(error)")
        }
        guard opened.header.audience == federation.federation else {
            throw FederationError(
                .invalid,
                "the file is addressed to '\(opened.header.audience)' but describes federation '\(federation.federation)'"
            )
        }
        let problems = federation.problems()
        guard problems.isEmpty else { throw FederationError(.invalid, problems.joined(separator: "; ")) }
        _ = try federation.trustStore()
        return federation
    }
}

/// Why a federation file was refused.
public struct FederationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code.
    public enum Code: String, Sendable, Hashable {
        /// The signature is missing, wrong, or by another key.
        case notSigned = "federation-not-signed"
        /// The content breaks a rule.
        case invalid = "federation-invalid"
        /// A member key cannot be read or is not what the file says.
        case badKey = "federation-bad-key"
        /// The file is older than the one the node has.
        case rolledBack = "federation-rolled-back"
    }

    /// The code.
    public let code: Code
    /// What is wrong.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
