import OfficeKit
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// The HTTP server with the visio's WebSocket upgrade, made to stop cleanly.
///
/// A connection that has not sent its first request is, for the upgrade-capable channel,
/// still negotiating: the server's graceful shutdown never reaches it, and Chromium keeps such
/// spare connections open, so the daemon would not stop. A handler in front closes those at
/// shutdown; every other connection gets the usual treatment.
struct QuiescingUpgradeChannel: ServerChildChannel {
    let inner: HTTP1WebSocketUpgradeChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Behind our own TLS, a request is what the TLS handler decrypts, not its handshake.
            let tls = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            try channel.pipeline.syncOperations.addHandler(CloseUnusedOnQuiesce(), position: tls.map { .after($0) } ?? .first)
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

final class CloseUnusedOnQuiesce: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private var used = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        used = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !used {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the visio's signalling upgrade at `/visio/{token}/ws`, over TLS when a
    /// configuration is given.
    public static func guichet(office: Office, tls: TLSConfiguration?) throws -> HTTPServerBuilder {
        if let tls { return try .tls(.guichet(office: office, tls: nil), tlsConfiguration: tls) }
        return .guichet(office: office)
    }

    static func guichet(office: Office) -> HTTPServerBuilder {
        .init { responder in
            QuiescingUpgradeChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, configuration: .init(http1: .init(), ws: .init(
                            maxFrameSize: VisioSignalling.maximumFrame, autoPing: .enabled(timePeriod: VisioSignalling.pingPeriod), closeTimeout: .seconds(2),
                            validateUTF8: true))
                ) { request, _, _ in
                    try await VisioSignalling.shouldUpgrade(office, request)
                })
        }
    }
}
