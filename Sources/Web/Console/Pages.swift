import OfficeKit
import Agenda
import Store
import StructureConfig
import Foundation
import Hummingbird
import Mustache

/// The console's and public pages' Mustache templates, loaded once from the bundle.
struct Pages: Sendable {
    let library: MustacheLibrary

    static let shared: Pages = {
        var library = MustacheLibrary()
        let folder = Bundle.module.resourceURL!.appendingPathComponent("templates")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for file in files where file.hasSuffix(".mustache") {
            let text = try! String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            // A broken template is a programming error caught by the first test that renders it.
            try! library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return Pages(library: library)
    }()

    func render(_ name: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        HTMLPage.response(library.render(context, withTemplate: name), status: status)
    }
}

/// An HTML page with the headers every page carries: no caching, no framing, a strict
/// content security policy, no referrer.
enum HTMLPage {
    static func response(_ html: String?, status: HTTPResponse.Status = .ok) -> Response {
        guard let html else {
            return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "template missing")))
        }
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// Static files (CSS, scripts) under `/static/`.
enum StaticFiles {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("static")

    static func response(for name: String) -> Response? {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), !name.hasPrefix("."),
            let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        else { return nil }
        let type =
            switch (name as NSString).pathExtension {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
        var response = Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.cacheControl] = "public, max-age=3600"
        return response
    }
}
