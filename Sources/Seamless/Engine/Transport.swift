import Foundation

/// What came back from a peer: an HTTP-like status and the body (a signed envelope, or nothing).
public struct TransportReply: Sendable, Hashable {
    /// 200 answered, 4xx refused, 5xx failed.
    public var status: Int
    /// The body.
    public var body: [UInt8]

    /// Creates a reply.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why a peer could not be reached or its answer not read.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code: `unreachable`, `timeout`, `too-large`.
    public var code: String
    /// What happened.
    public var reason: String

    /// Creates an error.
    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}

/// How a node reaches its peers: one signed envelope out to `base + path`, one reply back. `SeamlessHTTP`
/// provides the HTTP binding; ``InProcessTransport`` connects nodes in one process.
public protocol Transport: Sendable {
    /// Posts `body` to the peer at `base` (its federation endpoint) under `path` (e.g. `/v1/exchange`).
    func post(_ body: [UInt8], to base: String, path: String) async throws(TransportError) -> TransportReply
}

/// What a node serves: a reply for each path. The HTTP server and ``InProcessTransport`` call it.
public protocol ExchangeService: Sendable {
    /// Answers one posted body.
    func handle(path: String, body: [UInt8]) async -> TransportReply
    /// Answers a body that was cut off at `limit` bytes without being read further.
    func refuseTooLarge(path: String, limit: Int) async -> TransportReply
}

/// Connects nodes in one process, by endpoint: for tests and for embedding several departments in one
/// program. Nothing is copied or serialised beyond what the envelopes already are.
public final class InProcessTransport: Transport, @unchecked Sendable {
    private let lock = NSLock()
    private var services: [String: any ExchangeService] = [:]

    /// Creates a transport with no services.
    public init() {}

    /// Makes `service` reachable at `endpoint`.
    public func register(_ service: any ExchangeService, at endpoint: String) {
        lock.withLock { services[endpoint] = service }
    }

    /// Makes nothing reachable at `endpoint` any more (a peer going down).
    public func unregister(_ endpoint: String) {
        lock.withLock { _ = services.removeValue(forKey: endpoint) }
    }

    public func post(_ body: [UInt8], to base: String, path: String) async throws(TransportError) -> TransportReply {
        guard let service = lock.withLock({ services[base] }) else {
            throw TransportError(code: "unreachable", reason: "nothing answers at \(base)")
        }
        return await service.handle(path: path, body: body)
    }
}
