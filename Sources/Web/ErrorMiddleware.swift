import Agenda
import OfficeKit
import Hummingbird
import Logging

/// Turns every error thrown by a handler into the API's JSON error shape, so that no
/// client ever sees Hummingbird's empty 500; a console refusal becomes the console's page.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as ConsoleRefusal {
            if case .badCSRF = error.reason {
                SecurityLog.logger.warning("form refused: missing or wrong CSRF token", metadata: ["http.route": "\(context.endpointPath ?? "")"])
            }
            guard request.uri.path.hasPrefix("/api/") else { return error.response(request, pages: pages) }
            throw APIError(status: error.status == .seeOther ? .unauthorized : error.status, code: "refused", french: error.message, english: "Refused.")
        } catch let error as AgendaError {
            throw APIError(error)
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError.routeNotFound
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            throw APIError(status: .methodNotAllowed, code: "method_not_allowed", french: "Méthode non permise sur cette adresse.", english: "Method not allowed on this route.")
        } catch let error as HTTPError where error.status.code < 500 && !request.uri.path.hasPrefix("/api/") {
            throw error  // a page's refusal, with its own status and French message
        } catch {
            context.logger.error("request failed", metadata: ["guichet.error": "\(error)", "guichet.path": "\(request.uri.path)"])
            throw APIError.internalError
        }
    }
}
