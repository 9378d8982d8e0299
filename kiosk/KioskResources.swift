import Foundation
import Mustache

/// The station's templates, texts and static files, shipped in this target's bundle.
/// Adding a language is adding `strings/xx.json` with the same keys (a test checks them).
public enum KioskResources {
    public static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let folder = Bundle.module.resourceURL!.appendingPathComponent("templates")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".mustache") {
            let text = try! String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            // A broken template is a programming error caught by the first test that renders it.
            try! library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return library
    }()

    /// Texts by language code, then key.
    public static let strings: [String: [String: String]] = {
        let folder = Bundle.module.resourceURL!.appendingPathComponent("strings")
        var result: [String: [String: String]] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path),
                let table = try? JSONDecoder().decode([String: String].self, from: data)
            else { continue }
            result[String(file.dropLast(5))] = table
        }
        return result
    }()

    /// The language switcher's entries (code, name in its own language, the current one).
    public static func languageChoices(_ codes: [String], current: String) -> [[String: Any]] {
        codes.map { code in ["code": code, "name": strings[code]?["languageName"] ?? code, "current": code == current] }
    }

    public static func render(_ template: String, _ context: [String: Any]) -> String? {
        library.render(context, withTemplate: template)
    }

    /// A static file and its content type, for a plain file name.
    public static func staticFile(_ name: String) -> (data: Data, type: String)? {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), !name.hasPrefix(".") else { return nil }
        let url = Bundle.module.resourceURL!.appendingPathComponent("static").appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let type =
            switch url.pathExtension {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
        return (data, type)
    }
}
