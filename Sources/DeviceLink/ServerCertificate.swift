import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import NIOConcurrencyHelpers

/// The certificate a server presents, read before anything is trusted: what a PC shows and
/// compares with the console's fingerprint at enrolment, then pins.
public enum ServerCertificate {
    public struct Seen: Sendable {
        public let fingerprint: String
        public let pem: String
        /// Base64 of the SHA-256 of the certificate's public key (SPKI).
        public let keyHash: String
        /// A public authority known to this system signed it for that name (no pin needed).
        public let publiclyTrusted: Bool
    }

    public static func fingerprint(der: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    /// Connects to `host:port`, completes the TLS handshake whatever the certificate, and
    /// returns the leaf certificate the server sent.
    public static func read(host: String, port: Int) async throws -> Seen {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let captured = NIOLockedValueBox<NIOSSLCertificate?>(nil)
        try await handshake(host: host, port: port, configuration: configuration, capture: captured)
        guard let leaf = captured.withLockedValue({ $0 }) else { throw CertificateError.none }
        let der = try leaf.toDERBytes()
        let pem = "-----BEGIN CERTIFICATE-----\n" + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END CERTIFICATE-----\n"
        let keyHash = Data(SHA256.hash(data: try leaf.extractPublicKey().toSPKIBytes())).base64EncodedString()
        return Seen(fingerprint: fingerprint(der: der), pem: pem, keyHash: keyHash, publiclyTrusted: await publiclyTrusted(host: host, port: port))
    }

    public enum CertificateError: Error, CustomStringConvertible {
        case none
        public var description: String { "the server sent no certificate" }
    }

    /// Whether the system's authorities accept the server's certificate for `host` (a name:
    /// a certificate for a bare LAN address is never a public one).
    static func publiclyTrusted(host: String, port: Int) async -> Bool {
        guard !AddressLiteral.isIP(host) else { return false }
        do {
            try await handshake(host: host, port: port, configuration: .makeClientConfiguration(), capture: nil)
            return true
        } catch {
            return false
        }
    }

    /// One TLS handshake, then the connection is closed. With `capture`, the certificate is
    /// accepted whatever it is, and kept there.
    static func handshake(
        host: String, port: Int, configuration: TLSConfiguration, capture: NIOLockedValueBox<NIOSSLCertificate?>?
    ) async throws {
        let context = try NIOSSLContext(configuration: configuration)
        let done = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let name = AddressLiteral.isIP(host) ? nil : host
                    let tls = try capture.map { box in
                        try NIOSSLClientHandler(context: context, serverHostname: name) { certificates, promise in
                            box.withLockedValue { $0 = certificates.first }
                            promise.succeed(.certificateVerified)
                        }
                    } ?? NIOSSLClientHandler(context: context, serverHostname: name)
                    let promise = channel.eventLoop.makePromise(of: Void.self)
                    done.withLockedValue { $0 = promise.futureResult }
                    try channel.pipeline.syncOperations.addHandlers([tls, HandshakeWaiter(done: promise)])
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        try await done.withLockedValue { $0 }?.get()
    }
}

/// Completes its promise once: when the TLS handshake ends, or with the error or the close
/// that came first.
final class HandshakeWaiter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var done: EventLoopPromise<Void>?

    init(done: EventLoopPromise<Void>) { self.done = done }

    private func finish(_ result: Result<Void, any Error>) {
        done?.completeWith(result)
        done = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }
}

enum AddressLiteral {
    static func isIP(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), &v6) == 1
    }
}
