import DeviceLink
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OfficeKit
import Web
import NIOCore

/// The room's screen for a browser on the room's own PC: `http://127.0.0.1:8091/salle/{station}`,
/// its state and its hang-up button, passed on to the server with the room's credential (the
/// server shows the screen to the room only), with the station's style sheets and script.
enum RoomScreen {
    static func application(station: String, client: DeviceClient, port: Int, metrics: OfficeMetrics, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        // Bound to 127.0.0.1 only: the machine's own Prometheus agent reads it.
        router.get("metrics") { _, _ in Response.metrics(metrics.text()) }
        let pass: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = request.method == .post ? Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView) : nil
            let passed: DeviceClient.Passed
            do {
                passed = try await client.pass(request.method.rawValue, request.uri.description, body: body, contentType: request.headers[.contentType])
            } catch {
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/html; charset=utf-8", .refresh: "5"],
                    body: .init(byteBuffer: ByteBuffer(string: "<!doctype html><html lang=fr><title>Salle</title><p>Le serveur de la structure ne répond pas ; nouvel essai dans 5 secondes. Un appel en cours continue.</p></html>")))
            }
            var headers: HTTPFields = [.cacheControl: "no-store"]
            if let type = passed.contentType { headers[.contentType] = type }
            if let location = passed.location { headers[.location] = location }
            return Response(status: .init(code: passed.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: passed.body)))
        }
        for path in ["salle/\(station)", "salle/\(station)/etat", "kiosk-static/{file}"] { router.get(RouterPath(path), use: pass) }
        router.post(RouterPath("salle/\(station)/raccrocher"), use: pass)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "Guichet room"), logger: logger)
    }
}

extension HTTPField.Name {
    static let refresh = Self("Refresh")!
}
