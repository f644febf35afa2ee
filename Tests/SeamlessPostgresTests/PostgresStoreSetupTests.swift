import Foundation
import Logging
import NIOCore
import PostgresNIO
import Seamless
import SeamlessFixtures
import Testing

@testable import SeamlessPostgres

@Suite("PostgreSQL store setup")
struct PostgresStoreSetupTests {
    static let refused: [(String, String)] = [
        ("mysql://seamless@127.0.0.1:3306/node", "scheme 'mysql'"),
        ("/var/lib/node.sqlite", "not a URL"),
        ("postgres://127.0.0.1:5432/node", "names no user"),
        ("postgres://seamless@/node", "names no host"),
        ("postgres://seamless@127.0.0.1:5432/node/extra", "more than a database name"),
        ("postgres://seamless@127.0.0.1:5432/node?sslmod=disable", "unknown parameter 'sslmod'"),
        ("postgres://seamless@127.0.0.1:5432/node?sslmode=sometimes", "sslmode 'sometimes'"),
        ("postgres://seamless@127.0.0.1:5432/node?schema=Node-A", "schema 'Node-A'"),
        ("postgres://seamless@127.0.0.1:5432/node?schema=pg_catalog", "schema 'pg_catalog'"),
    ]

    @Test("a URL that is not a complete PostgreSQL URL is refused, saying what is wrong", arguments: refused)
    func refusedURLs(_ url: String, _ says: String) {
        let error = #expect(throws: StoreError.self) { _ = try PostgresStore(url: url, logger: Logger(label: "test")) }
        #expect(error?.code == .refused)
        #expect(error?.reason.contains(says) == true, "\(error?.reason ?? "")")
    }

    @Test("the password never appears in an error")
    func passwordRedacted() {
        let error = #expect(throws: StoreError.self) {
            _ = try PostgresStore(
                url: "postgres://node:s3cr3t@db.example:5432/node?bogus=1", logger: Logger(label: "t"))
        }
        #expect(error?.reason.contains("s3cr3t") == false)
        #expect(error?.reason.contains("db.example") == true)
    }

    @Test("user, password, host, port, database and schema are read; loopback goes without TLS")
    func parsed() throws {
        let url = try PostgresURL("postgresql://node%40a:p%2Fw@127.0.0.1:5433/seamless?schema=node_a")
        #expect(url.user == "node@a")
        #expect(url.password == "p/w")
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 5433)
        #expect(url.database == "seamless")
        #expect(url.schema == "node_a")
        #expect(url.redacted == "postgresql://node@a@127.0.0.1:5433/seamless")
        let defaults = try PostgresURL("postgres://node@localhost")
        #expect(defaults.port == 5432)
        #expect(defaults.database == nil)
        #expect(defaults.schema == nil)
        #expect(defaults.tlsMode == .disable)
        #expect(try PostgresURL("postgres://node@db.example/seamless").tlsMode == .require, "TLS away from loopback")
        #expect(try PostgresURL("postgres://node@db.example/seamless?sslmode=disable").tlsMode == .disable)
        let store = try PostgresStore(url: "postgres://node@[::1]:5432/seamless", logger: Logger(label: "t"))
        #expect(store.schema == nil)
    }

    @Test("a server that is not there is reported at once, naming it")
    func unreachable() async throws {
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.withStore(
                url: "postgres://seamless@127.0.0.1:1/postgres", logger: PostgresTestServer.logger
            ) { _ in }
        }
        #expect(error?.code == .database)
        #expect(error?.reason.contains("127.0.0.1:1") == true, "\(error?.reason ?? "")")
        #expect(error?.reason.contains("refused") == true, "\(error?.reason ?? "")")
    }

    @Test(
        "a server that refuses the user is reported at once with PostgreSQL's reason",
        .enabled(if: PostgresTestServer.shouldRun, PostgresTestServer.skipped))
    func unknownRole() async throws {
        let url = try #require(
            PostgresTestServer.url, "SEAMLESS_REQUIRE_POSTGRES=1 but SEAMLESS_POSTGRES_URL is not set")
        let components = try #require(URLComponents(string: url))
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.withStore(
                url: "postgres://no_such_role@\(components.host ?? ""):\(components.port ?? 5432)/postgres",
                logger: PostgresTestServer.logger
            ) { _ in }
        }
        #expect(error?.code == .database)
        #expect(error?.reason.contains("no_such_role") == true, "\(error?.reason ?? "")")
    }
}

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    @Test(
        "v7 moves received records under their receipts: the same records, purges and expiries as before",
        .enabled(if: PostgresTestServer.shouldRun, PostgresTestServer.skipped))
    func receivedGroupedByReceipt() async throws {
        let url = try PostgresTestServer.freshSchemaURL()
        // A node database as v6 left it, with records received for two requests.
        try await PostgresStore.withStore(
            url: url, logger: PostgresTestServer.logger, migratingUpTo: "v6: the consents received records came under"
        ) { store in
            try await store.write("filling v6's received table") { connection in
                for row in ReceivedV6Fixture.rows {
                    let (key, subject, request, expires) = (row.key, row.subject, row.requestHash, row.expiresAt)
                    let consents = row.consentIDs
                    let fields = ByteBuffer(string: ReceivedV6Fixture.fieldsJSON(key))
                    try await store.execute(
                        connection,
                        """
                        INSERT INTO received
                        (provider, resource, key, subject, fields, request_hash, purpose, expires_at, consent_ids)
                        VALUES ('gov.a', 'gov.a/households', \(key), \(subject), \(fields), \(request),
                            'social-assistance', \(expires), \(consents))
                        """)
                }
            }
        }
        try await PostgresStore.withStore(url: url, logger: PostgresTestServer.logger) { store in
            try await ReceivedV6Fixture.expectMigrated(store)
            try await store.dropSchema()
        }
    }
}
