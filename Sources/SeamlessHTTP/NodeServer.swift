import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Seamless

/// The request context of a node's server: nothing beyond Hummingbird's core.
public struct NodeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

extension HTTPField.Name {
    static let cacheControl = Self("Cache-Control")!
}

/// A node's HTTP server: `POST /v1/exchange` (and every other engine path under `/v1`) with signed
/// envelopes as `application/jose+json`, `GET /healthz` and `GET /metrics`. Bodies are read up to a cap
/// and refused unread beyond it.
public enum NodeServer {
    /// The media type of every envelope.
    public static let joseJSON = "application/jose+json"
    /// The most bytes a request body may have (an envelope's own limit).
    public static let maxBodyBytes = EnvelopeOpener.Limits.default.maxEnvelopeBytes

    /// The router in front of `service`. `metrics` renders `/metrics`.
    public static func router(
        service: any ExchangeService, metrics: @escaping @Sendable () async -> String
    ) -> Router<NodeRequestContext> {
        let router = Router(context: NodeRequestContext.self)
        router.get("healthz") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: await metrics())))
        }
        // Every engine path is one or two segments below /v1 (`/v1/exchange`, `/v1/agreements/apply`).
        @Sendable func answer(_ request: Request, _ path: String) async throws -> Response {
            let reply: TransportReply
            do {
                let body = try await request.body.collect(upTo: maxBodyBytes)
                reply = await service.handle(path: path, body: Array(body.readableBytesView))
            } catch is NIOTooManyBytesError {
                reply = await service.refuseTooLarge(path: path, limit: maxBodyBytes)
            }
            return Response(
                status: HTTPResponse.Status(code: reply.status),
                headers: [.contentType: joseJSON, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        router.post("v1/:endpoint") { request, context -> Response in
            try await answer(request, "/v1/" + (context.parameters.get("endpoint") ?? ""))
        }
        router.post("v1/:endpoint/:action") { request, context -> Response in
            let endpoint = context.parameters.get("endpoint") ?? ""
            return try await answer(request, "/v1/\(endpoint)/" + (context.parameters.get("action") ?? ""))
        }
        return router
    }

    /// The application listening on `host:port` (port 0: any free port; `onRunning` gets the real one).
    public static func application(
        service: any ExchangeService, host: String = "127.0.0.1", port: Int, logger: Logger,
        metrics: @escaping @Sendable () async -> String,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(service: service, metrics: metrics),
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "exchange-node",
                availableConnectionsDelegate: MaximumAvailableConnections(1_024)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
