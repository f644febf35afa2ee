import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Seamless

/// The peer transport over HTTP: one pooled AsyncHTTPClient for all peers. Call ``shutdown()`` when done.
public final class HTTPTransport: Transport {
    private let client: HTTPClient
    /// How long one exchange may take, connect to last byte.
    public let timeout: Duration
    private let deadline: TimeAmount
    /// The most bytes an answer may have.
    public let maxReplyBytes: Int

    /// Creates a transport with up to `connectionsPerPeer` connections to each peer.
    public init(connectionsPerPeer: Int = 32, timeout: Duration = .seconds(30), maxReplyBytes: Int = 64 << 20) {
        let (seconds, attoseconds) = timeout.components
        let deadline = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: deadline)
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerPeer)
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        self.timeout = timeout
        self.deadline = deadline
        self.maxReplyBytes = maxReplyBytes
    }

    public func post(_ body: [UInt8], to base: String, path: String) async throws(TransportError) -> TransportReply {
        var request = HTTPClientRequest(url: base.hasSuffix("/") ? String(base.dropLast()) + path : base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: NodeServer.joseJSON)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: deadline)
            let bytes = try await response.body.collect(upTo: maxReplyBytes)
            return TransportReply(status: Int(response.status.code), body: Array(bytes.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw TransportError(code: "too-large", reason: "the answer exceeds \(maxReplyBytes) bytes")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw TransportError(code: "timeout", reason: "no answer within \(timeout)")
        } catch {
            throw TransportError(code: "unreachable", reason: Self.describe(error))
        }
    }

    /// A sentence for a connection that failed ("Connection refused (errno 111)"), not NIO's dump of it.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return "\(String(cString: strerror(error.errnoCode))) (errno \(error.errnoCode))"
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            return "the host name could not be resolved"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            // Also a pooled connection the peer closed on going down, found dead only when used.
            return "the peer closed the connection without answering"
        default:
            return "\(error)"
        }
    }

    /// Closes every connection.
    public func shutdown() async throws {
        try await client.shutdown()
    }
}
