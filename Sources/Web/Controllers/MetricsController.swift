import Hummingbird
import OfficeKit

/// `GET /metrics`: the Prometheus text. The machine itself may read it, or a scraper with the
/// configured bearer token (`metrics.tokenFile`); the structure's network rule applies first.
struct MetricsController {
    typealias Context = GuichetRequestContext
    let office: Office

    func addRoutes(to router: Router<Context>) {
        router.get("metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        guard office.metricsAccess.allows(origin: context.origin, authorization: request.headers[.authorization]) else {
            throw APIError(
                status: .forbidden, code: "metrics_forbidden", french: "Les métriques se lisent depuis ce serveur, ou avec le jeton configuré.",
                english: "Metrics are read from this machine, or with the configured bearer token.")
        }
        return .metrics(await office.metricsText())
    }
}

extension Response {
    /// The Prometheus text exposition format, never cached.
    public static func metrics(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
