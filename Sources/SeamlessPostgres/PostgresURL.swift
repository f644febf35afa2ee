import Foundation
import PostgresNIO
import Seamless

/// A parsed `postgres://user[:password]@host[:port]/database[?schema=…&sslmode=…]` URL: the client
/// configuration and the schema the store keeps its tables in.
struct PostgresURL: Sendable {
    /// What the pool connects with.
    var configuration: PostgresClient.Configuration
    /// The schema the tables live in, or `nil` for the server's default (`public`).
    var schema: String?
    /// The URL without its password, for messages.
    var redacted: String
    /// Where and as whom it connects, as the URL said (percent-decoded).
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    /// Whether the connections use TLS.
    var tlsMode: TLSMode

    /// The URL's `sslmode`, as far as this store distinguishes it.
    enum TLSMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it.
        case prefer
        /// TLS with a certificate verified against the system's trust roots and the host name.
        case require
    }

    /// The parameters a URL may carry; anything else is refused so a typo never passes silently.
    static let knownParameters = ["schema", "sslmode"]

    /// Parses `text`, refusing anything that is not a complete PostgreSQL URL.
    init(_ text: String) throws(StoreError) {
        let usage = "use postgres://user[:password]@host[:port]/database[?schema=name&sslmode=disable|prefer|require]"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw StoreError(.refused, "the database URL is not a URL; \(usage)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw StoreError(
                .refused, "the database URL has scheme '\(scheme)', but this store speaks only PostgreSQL; \(usage)")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 5432
        redacted = "\(scheme)://\(components.user.map { "\($0)@" } ?? "")\(host):\(port)\(components.path)"
        guard !host.isEmpty else {
            throw StoreError(.refused, "the database URL '\(redacted)' names no host; \(usage)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError(.refused, "the database URL '\(redacted)' names no user; \(usage)")
        }
        guard (1...65_535).contains(port) else {
            throw StoreError(.refused, "the database URL '\(redacted)' has port \(port), outside 1…65535")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else {
            throw StoreError(.refused, "the database URL '\(redacted)' has a path with more than a database name")
        }

        var schema: String?
        var sslmode: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema": schema = item.value ?? ""
            case "sslmode": sslmode = item.value ?? ""
            default:
                throw StoreError(
                    .refused,
                    "the database URL '\(redacted)' has an unknown parameter '\(item.name)'; known: \(Self.knownParameters.joined(separator: ", "))"
                )
            }
        }
        if let schema, !Self.isPlainIdentifier(schema) {
            throw StoreError(
                .refused,
                "the schema '\(schema)' in the database URL is not a plain lower-case identifier (a-z, 0-9, _, at most 63, not starting with a digit or pg_)"
            )
        }
        self.schema = schema

        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host.lowercased())
        let tls: PostgresClient.Configuration.TLS
        switch sslmode ?? (loopback ? "disable" : "require") {
        case "disable":
            tls = .disable
            tlsMode = .disable
        case "prefer":
            tls = .prefer(.makeClientConfiguration())
            tlsMode = .prefer
        case "require", "verify-ca", "verify-full":
            tls = .require(.makeClientConfiguration())
            tlsMode = .require
        case let other:
            throw StoreError(
                .refused,
                "the database URL '\(redacted)' has sslmode '\(other)'; use disable, prefer, require or verify-full")
        }
        self.host = host
        self.port = port
        self.user = user
        self.password = components.password
        self.database = path.isEmpty ? nil : path
        configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        if let schema {
            // Every pooled connection starts with the schema as its search path, so the statements name
            // tables unqualified and one database can hold several nodes (or test runs) side by side.
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
    }

    /// The configuration of one connection outside the pool, to the same server as the same user.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch tlsMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// Lower-case ASCII letters, digits and `_`, not starting with a digit, at most 63 bytes (PostgreSQL's
    /// limit), and not in the `pg_` namespace the server reserves: safe to put into SQL unquoted.
    static func isPlainIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, !name.hasPrefix("pg_") else { return false }
        let isLetter = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
        }
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        return isLetter(first) && bytes.allSatisfy { isLetter($0) || isDigit($0) }
    }
}
