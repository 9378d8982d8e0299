import Agenda
import Foundation
import Hummingbird
import Store

/// `GET /` (a plain page for whoever opens the daemon in a browser) and `GET /openapi.json`.
struct HomeController<Context: RequestContext> {
    let office: Office

    func addRoutes(to router: Router<Context>) {
        router.get("/", use: home)
        router.get("openapi.json", use: openAPI)
    }

    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        .text(OpenAPIDocument.text, contentType: "application/json; charset=utf-8")
    }

    @Sendable func home(_ request: Request, context: Context) async throws -> Response {
        let s = office.structure
        let plan = try await office.database.hoursPlan(default: s, now: office.clock())
        let rows = Weekday.allCases.map { day in
            let ranges = plan.hours.ranges(on: day).map { "\($0.start) – \($0.end)" }
            return "<tr><th scope=\"row\">\(day.french.capitalized)</th><td>\(ranges.isEmpty ? "fermé" : ranges.joined(separator: ", "))</td></tr>"
        }.joined(separator: "\n")
        let html = """
            <!doctype html>
            <html lang="fr">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(s.name)) — Guichet</title>
            <style>
            body { font: 1.25rem/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
            h1 { font-size: 2rem; color: #000091; } table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #ccc; } a { color: #000091; }
            </style></head>
            <body>
            <main>
            <h1>\(HTML.escape(s.name))</h1>
            <p>\(HTML.escape(s.address))<br>\(HTML.escape(s.phone)) · <a href="mailto:\(HTML.escape(s.email))">\(HTML.escape(s.email))</a></p>
            <h2>Horaires d'ouverture</h2>
            <table>\n\(rows)\n</table>
            <h2>Liens</h2>
            <ul>
            <li><a href="/calendars/public.ics">Calendrier des horaires et fermetures (iCalendar)</a></li>
            <li><a href="/openapi.json">Description de l'API (OpenAPI 3)</a></li>
            <li><a href="/healthz">État du service</a></li>
            </ul>
            </main>
            </body></html>
            """
        return .text(html, contentType: "text/html; charset=utf-8")
    }
}

enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
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
