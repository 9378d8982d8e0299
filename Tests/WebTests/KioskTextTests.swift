import OfficeKit
import Foundation
import Kiosk
import StructureConfig
import Web
import Testing

/// Every language of the station has every text the templates use.
struct KioskTextTests {
    @Test func everyLanguageHasEveryKeyTheTemplatesUse() throws {
        let strings = try KioskResources.loadStrings()
        #expect(Set(strings.keys) == Set(KioskSettings.allLanguages), "a file in kiosk/strings that the configuration cannot choose, or the reverse")
        let french = try #require(strings["fr"])
        for (language, table) in strings {
            #expect(Set(table.keys) == Set(french.keys), "\(language) differs from fr: \(Set(table.keys).symmetricDifference(french.keys).sorted())")
            // Easy-to-read French is French to the browser, a screen reader and the voice.
            #expect(table["lang"] == (language == "falc" ? "fr" : language))
            #expect(table["dir"] == (language == "ar" ? "rtl" : "ltr"))
            #expect(table["voice"]?.isEmpty == false)
            // A text the other languages leave empty would be a blank button.
            #expect(table.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.isEmpty, "\(language) has empty texts")
            #expect(table["visioRefusedEarly"]?.contains("{{opens}}") == true, "\(language) lost the {{opens}} placeholder")
        }
        // Each language's name is written in that language, and no two are the same.
        #expect(Set(strings.values.compactMap { $0["languageName"] }).count == strings.count)
        let used = try KioskTextTests.keysUsedByTemplates()
        #expect(!used.isEmpty)
        #expect(used.subtracting(french.keys).isEmpty, "missing texts: \(used.subtracting(french.keys).sorted())")
    }

    static func keysUsedByTemplates() throws -> Set<String> {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../kiosk/templates").standardized
        var keys = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([A-Za-z0-9]+)\}\}/) { keys.insert(String(match.1)) }
        }
        return keys
    }

    @Test func everyPageOffersToCallAnAgent() async throws {
        let pages = try await WebPages.load()
        let html = try #require(pages.kiosk.render("kiosk-home", ["t": pages.texts("fr"), "base": "/kiosk/p", "inSession": true]))
        #expect(html.contains("Appeler un agent"))
        let english = try #require(pages.kiosk.render("kiosk-welcome", ["t": pages.texts("en"), "base": "/kiosk/p"]))
        #expect(english.contains("Call an agent") && english.contains("<html lang=\"en\" dir=\"ltr\">"))
        let arabic = try #require(pages.kiosk.render("kiosk-welcome", ["t": pages.texts("ar"), "base": "/kiosk/p"]))
        #expect(arabic.contains("<html lang=\"ar\" dir=\"rtl\">") && arabic.contains("نداء موظف"))
    }
}
