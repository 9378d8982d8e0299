import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOFoundationCompat

/// How an enrolled PC calls the server: its credential on every request, and over HTTPS the
/// certificate pinned at enrolment (or the public authorities, for a publicly signed one).
public final class DeviceClient: Sendable {
    public let server: String
    let credential: String?
    let client: HTTPClient
    let timeout: TimeAmount

    public struct Failure: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "the server answered \(status): \(body.prefix(300))" }
    }

    public init(server: String, credential: String?, pinnedCertificate: String?, timeoutSeconds: Int64 = 3) throws {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.credential = credential
        timeout = .seconds(timeoutSeconds)
        var configuration = HTTPClient.Configuration()
        if let pinnedCertificate {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pinnedCertificate.utf8)))
            // The pinned certificate is the only one trusted; a LAN server is often reached by
            // an address its certificate does not name.
            tls.certificateVerification = .noHostnameVerification
            configuration.tlsConfiguration = tls
        }
        configuration.timeout = .init(connect: .seconds(2), read: timeout)
        // A redirect is the caller's to see (the room's screen passes it on to its browser).
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public convenience init(identity: DeviceIdentity, server: String? = nil) throws {
        try self.init(server: server ?? identity.server, credential: identity.credential, pinnedCertificate: identity.pinnedCertificate)
    }

    deinit { try? client.syncShutdown() }

    /// Sends `body` as JSON; returns the JSON object of a 2xx answer, throws `Failure` otherwise.
    public func call(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: server + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        if let credential { request.headers.add(name: "Authorization", value: "Bearer \(credential)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let data = Data(buffer: bytes)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(status: Int(response.status.code), body: String(decoding: data, as: UTF8.self))
        }
        if data.isEmpty { return [:] }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw Failure(status: Int(response.status.code), body: "not a JSON object") }
        return object
    }

    /// What the server answered a request passed on as it came (the room's screen, for the
    /// room PC's browser): status, type, redirect and body.
    public struct Passed: Sendable {
        public let status: Int
        public let contentType: String?
        public let location: String?
        public let body: Data
    }

    public func pass(_ method: String, _ path: String, body: Data?, contentType: String?) async throws -> Passed {
        var request = HTTPClientRequest(url: server + path)
        request.method = HTTPMethod(rawValue: method)
        if let credential { request.headers.add(name: "Authorization", value: "Bearer \(credential)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return Passed(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
            location: response.headers.first(name: "Location"), body: Data(buffer: bytes))
    }
}
