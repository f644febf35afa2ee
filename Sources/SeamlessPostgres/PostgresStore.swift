import Foundation
import Logging
import NIOCore
import PostgresNIO
import Seamless

/// The shared store: the node's state in a PostgreSQL database, so several exchange-node replicas behind a
/// load balancer serve from one state and append to one audit log. It behaves as ``SQLiteStore`` does —
/// same documents byte for byte, same errors, same order — and every method is one transaction.
///
/// The store owns a connection pool that works only while ``run()`` runs; ``withStore(url:logger:_:)``
/// does all of it for a scope:
///
/// ```swift
/// try await PostgresStore.withStore(url: "postgres://seamless@127.0.0.1:5432/seamless", logger: logger) {
///     store in
///     let log = try await AuditLog(store: store, node: "gov.x", signer: key)
///     …
/// }
/// ```
///
/// A long-running node instead adds ``run()`` to its service group and calls ``migrate()`` once before
/// serving.
public final class PostgresStore: Store {
    let client: PostgresClient
    let logger: Logger
    /// The schema the tables live in (`schema=` in the URL), or `nil` for the server's default.
    public let schema: String?
    /// The URL without its password, for messages.
    let location: String
    let url: PostgresURL

    /// Prepares a store for `url`, `postgres://user[:password]@host[:port]/database`, optionally with
    /// `?schema=name` (created if missing; the tables live there) and `sslmode=disable|prefer|require`
    /// (default: no TLS to a loopback address, TLS with a verified certificate to any other host).
    /// Nothing connects until ``run()`` runs; throws ``StoreError/Code/refused`` for a URL that is not a
    /// PostgreSQL URL.
    public init(url: String, logger: Logger) throws {
        let parsed = try PostgresURL(url)
        var logger = logger
        // PostgresNIO logs every message from the server, rows included, at trace: never a record's fields.
        logger.logLevel = max(logger.logLevel, .debug)
        self.logger = logger
        self.schema = parsed.schema
        self.location = parsed.redacted
        self.url = parsed
        self.client = PostgresClient(configuration: parsed.configuration, backgroundLogger: logger)
    }

    /// Runs the connection pool until the calling task is cancelled (or a service group shuts down
    /// gracefully); queries wait until it runs. Call it once.
    public func run() async {
        await client.run()
    }

    /// Opens a store for `url` (see ``init(url:logger:)``), runs its pool, brings its schema up to date,
    /// calls `body` with it and closes the pool afterwards, whether `body` returns or throws.
    public static func withStore<T>(
        url: String, logger: Logger, _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        try await withStore(url: url, logger: logger, migratingUpTo: nil, body)
    }

    /// ``withStore(url:logger:_:)`` with the schema migrated only up to the migration named `last`.
    static func withStore<T>(
        url: String, logger: Logger, migratingUpTo last: String?, _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresStore(url: url, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // Queries wait for the pool anyway; waiting for its task to start spares the pool's warning that
            // a connection was asked for before `run()`.
            let (started, starting) = AsyncStream<Void>.makeStream()
            group.addTask {
                starting.finish()
                await store.run()
            }
            defer { group.cancelAll() }
            for await _ in started {}
            try await store.migrate(upTo: last)
            return try await body(store)
        }
    }

    /// Connects once outside the pool. The pool retries a server that refuses it quietly for a minute before
    /// giving up without a reason; this says at once why (nothing listening, an unknown role, a wrong
    /// password, no such database).
    func checkServer() async throws {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try url.connectionConfiguration(), id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw describe(error, "connecting to PostgreSQL at \(location)")
        }
    }

    // MARK: Plumbing

    /// Runs one read-only statement and maps its rows; `operation` names what was read, for errors.
    func read<T>(_ operation: String, _ query: PostgresQuery, _ row: (PostgresRow) throws -> T) async throws -> [T] {
        do {
            return try await Self.collect(client.query(query, logger: logger), row)
        } catch {
            throw describe(error, operation)
        }
    }

    /// Runs `body` in one transaction: it commits if `body` returns and rolls back if it throws.
    func write<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw describe(error, operation)
        }
    }

    /// Runs a statement inside a transaction and maps its rows.
    func rows<T>(
        _ connection: PostgresConnection, _ query: PostgresQuery, _ row: (PostgresRow) throws -> T
    ) async throws -> [T] {
        try await Self.collect(connection.query(query, logger: logger), row)
    }

    /// Runs a statement inside a transaction and counts the rows it returns (`RETURNING` rows affected).
    func count(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
        try await Self.collect(connection.query(query, logger: logger)) { _ in true }.count
    }

    /// Runs a statement inside a transaction, discarding any rows.
    func execute(_ connection: PostgresConnection, _ query: PostgresQuery) async throws {
        _ = try await Self.collect(connection.query(query, logger: logger)) { _ in () }
    }

    private static func collect<T>(_ rows: PostgresRowSequence, _ map: (PostgresRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in rows { result.append(try map(row)) }
        return result
    }

    /// A ``StoreError`` that says which operation failed and why, without the statement's bound values (they
    /// may be a record's personal fields).
    func describe(_ error: any Error, _ operation: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError { return describe(inner, operation) }
            if let inner = error.beginError { return describe(inner, "\(operation) (starting the transaction)") }
            if let inner = error.commitError { return describe(inner, "\(operation) (committing)") }
            return StoreError(.database, "\(operation) failed in the PostgreSQL database at \(location)")
        case let error as PSQLError:
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = info[.message] ?? "no message"
                // Serialization failures and deadlocks mean another replica got there first: try again.
                let code: StoreError.Code = state == "40001" || state == "40P01" ? .conflict : .database
                return StoreError(code, "\(operation) failed: PostgreSQL says \"\(message)\" (SQLSTATE \(state))")
            }
            let cause = error.underlying.map { ": \($0)" } ?? ""
            let server = operation.contains(location) ? "" : " at \(location)"
            return StoreError(
                .database, "\(operation) failed: cannot talk to PostgreSQL\(server) (\(error.code)\(cause))")
        case let error as PostgresDecodingError:
            return StoreError(
                .database,
                "\(operation) failed: column '\(error.columnName)' holds a \(error.postgresType), not a \(error.targetType)"
            )
        default:
            return StoreError(.database, "\(operation) failed: \(error)")
        }
    }

    /// The canonical JSON of `value`, as bytea.
    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try CanonicalJSON.encode(value))
    }

    /// Decodes a document column; anything unreadable is a ``StoreError/Code/database`` naming the table.
    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer, table: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch {
            throw StoreError(.database, "table \(table) holds an unreadable \(T.self): \(error)")
        }
    }

    /// The field values of a record, stored as the canonical JSON of an object.
    static func bytes(_ fields: [String: JSONValue]) -> ByteBuffer {
        ByteBuffer(bytes: CanonicalJSON.serialize(.object(fields)))
    }

    static func catalog(_ buffer: ByteBuffer, table: String) throws -> Catalog {
        Catalog(entries: try decode([CatalogEntry].self, buffer, table: table))
    }
}
