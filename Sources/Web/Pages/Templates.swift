import Foundation
import Hummingbird
import Kiosk
import Mustache

/// The Mustache templates of one folder (the console's or the station's), loaded once at
/// start: a missing folder or a broken template stops the daemon with its name, never a
/// request later.
public struct Templates: Sendable {
    let library: MustacheLibrary

    public static func load(_ folder: URL) async throws -> Templates {
        do {
            return Templates(library: try await MustacheLibrary(directory: folder.path))
        } catch {
            throw PageResourceError("the templates in \(folder.path) cannot be loaded: \(error)")
        }
    }

    /// The text of template `name`, or nil when there is none by that name.
    public func render(_ name: String, _ context: [String: Any]) -> String? {
        library.render(context, withTemplate: name)
    }

    /// An HTML page (the security headers are added by `SecurityHeadersMiddleware`).
    func page(_ name: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        guard let html = render(name, context) else {
            return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "template \(name) missing")))
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Everything the pages are made of: the console's and the station's templates, the
/// station's texts in each language, and the folders of their static files.
public struct WebPages: Sendable {
    public let console: Templates
    public let kiosk: Templates
    /// The station's texts by language code, then key.
    public let strings: [String: [String: String]]
    let consoleStatic: URL
    let kioskStatic: URL
    /// The station's voice, one cache for the process.
    public let speech = KioskSpeech()

    /// Loads both bundles; a clear error when the installation lacks one.
    public static func load() async throws -> WebPages {
        guard let web = Bundle.module.resourceURL else { throw PageResourceError("the console's resources are not installed beside the binary") }
        let kiosk = try KioskResources.folder()
        return WebPages(
            console: try await .load(web.appendingPathComponent("templates")), kiosk: try await .load(kiosk.appendingPathComponent("templates")),
            strings: try KioskResources.loadStrings(), consoleStatic: web.appendingPathComponent("static"),
            kioskStatic: kiosk.appendingPathComponent("static"))
    }

    /// The station's texts in `language` (French when missing: every file has every key, a test checks it).
    public func texts(_ language: String) -> [String: String] { strings[language] ?? strings["fr"] ?? [:] }

    /// The language switcher's entries (code, name in its own language, the current one).
    func languageChoices(_ codes: [String], current: String) -> [[String: Any]] {
        codes.map { code in ["code": code, "lang": strings[code]?["lang"] ?? code, "name": strings[code]?["languageName"] ?? code, "current": code == current] }
    }
}

public struct PageResourceError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
