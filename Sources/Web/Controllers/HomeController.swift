import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store

/// `GET /openapi.json`.
struct HomeController<Context: RequestContext> {
    let office: Office

    func addRoutes(to router: Router<Context>) {
        router.get("openapi.json", use: openAPI)
    }

    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        .text(OpenAPIDocument.text, contentType: "application/json; charset=utf-8")
    }
}

/// The API description, shipped as a resource and kept true by a test.
public enum OpenAPIDocument {
    public static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "{}" }
        return text
    }()
}
