import Hummingbird
import Logging
import OfficeKit

/// One line per request: method, the route's pattern (`/api/v1/bookings/{id}`, never the path
/// itself: ids and tokens stay out of the logs), status, duration. Never a query string, a
/// cookie, a header or a body. Outermost, so the status is the one the client got.
/// Each request is also counted, with its duration, in the office's metrics.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger = Logger(label: "guichet.access")
    let metrics: OfficeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = context.endpointPath ?? "(no route)"
        do {
            let response = try await next(request, context)
            log(request.method.rawValue, route, response.status.code, since: start)
            return response
        } catch {
            log(request.method.rawValue, route, (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func log(_ method: String, _ route: String, _ status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        metrics.request(method: method, route: route, status: status, duration: elapsed)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "request",
            metadata: ["http.method": "\(method)", "http.route": "\(route)", "http.status": "\(status)", "http.duration_ms": "\(Int(ms.rounded()))"])
    }
}
