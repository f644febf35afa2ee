import Foundation
import Logging
import Seamless
import SeamlessTestSupport
import Testing

@testable import SeamlessPostgres

/// The PostgreSQL server the PostgreSQL cases run against: `SEAMLESS_POSTGRES_URL`, which
/// `scripts/test.sh` sets after starting a throwaway cluster.
enum PostgresTestServer {
    static var url: String? {
        guard let url = ProcessInfo.processInfo.environment["SEAMLESS_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// `SEAMLESS_REQUIRE_POSTGRES=1`: a missing server is a failure, not a skip.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["SEAMLESS_REQUIRE_POSTGRES"] == "1" }

    /// Whether the PostgreSQL cases run: with a server, or without one when it is required (they fail then).
    static var shouldRun: Bool { url != nil || isRequired }

    static let skipped: Comment =
        "SEAMLESS_POSTGRES_URL is not set, so the PostgreSQL cases are skipped (scripts/test.sh starts a server)"

    /// The server's URL with a schema of its own, so every case starts from an empty database and cases run
    /// in parallel.
    static func freshSchemaURL() throws -> String {
        guard let url else {
            throw StoreError(
                .database, "SEAMLESS_REQUIRE_POSTGRES=1 but SEAMLESS_POSTGRES_URL is not set: no PostgreSQL to test")
        }
        let schema = "conformance_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return url + (url.contains("?") ? "&" : "?") + "schema=" + schema
    }

    static let logger: Logger = {
        var logger = Logger(label: "seamless.postgres-tests")
        logger.logLevel = .warning
        return logger
    }()
}

/// The two stores the conformance suite runs against.
enum StoreKind: String, Sendable, CaseIterable {
    case sqlite
    case postgres
}

/// A fresh, empty database of one kind: a SQLite file in a temporary folder, or a PostgreSQL schema of its
/// own that is dropped afterwards. ``withStore(_:)`` opens another handle on it — another process on the
/// SQLite file, another replica with its own connection pool on the PostgreSQL schema.
struct FreshDatabase: Sendable {
    let kind: StoreKind
    /// The SQLite path or the PostgreSQL URL.
    let location: String

    /// Opens another handle on this database for `body`.
    func withStore<T>(_ body: (any Store) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            return try await body(try SQLiteStore(path: location))
        case .postgres:
            return try await PostgresStore.withStore(url: location, logger: PostgresTestServer.logger) { store in
                try await body(store)
            }
        }
    }

    /// Creates a fresh database of `kind`, calls `body` with a store on it, and removes the database.
    static func with(_ kind: StoreKind, _ body: (any Store, FreshDatabase) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory()
            let database = FreshDatabase(kind: .sqlite, location: directory.path("node.sqlite"))
            try await body(try SQLiteStore(path: database.location), database)
        case .postgres:
            let database = FreshDatabase(kind: .postgres, location: try PostgresTestServer.freshSchemaURL())
            try await PostgresStore.withStore(url: database.location, logger: PostgresTestServer.logger) { store in
                var failure: (any Error)?
                do { try await body(store, database) } catch { failure = error }
                try await store.dropSchema()
                if let failure { throw failure }
            }
        }
    }
}
