import Foundation
import Kiosk
import Testing
import Web

/// The station's voice: real espeak-ng, and the rule that it says only the station's own texts.
struct KioskSpeechTests {
    static let strings = (try? KioskResources.loadStrings()) ?? [:]

    @Test func saysTheStationsTextsInTheirLanguageAndNothingTyped() throws {
        let speakable = SpeakableTexts(strings: Self.strings, extra: ["fr": ["Je déménage"]])
        #expect(speakable.voice(for: "Commencer", lang: "fr") == "fr-fr")
        // Easy-to-read French is said with the French voice; its line breaks do not matter.
        #expect(speakable.voice(for: "Cet ordinateur est gratuit. Vous n’avez pas besoin de mot de passe. Quand vous finissez, tout est effacé.", lang: "fr") == "fr-fr")
        #expect(speakable.voice(for: "ابدأ", lang: "ar") == "ar")
        #expect(speakable.voice(for: "Votre code personnel :", lang: "fr") == "fr-fr")
        #expect(speakable.voice(for: "Je déménage", lang: "fr") == "fr-fr")
        #expect(speakable.voice(for: "60", lang: "uk") == "uk")
        #expect(speakable.voice(for: "09:30", lang: "es") == "es")
        // What a usager typed, a file's name, a text of another language's page: never.
        #expect(speakable.voice(for: "Jeanne Martin", lang: "fr") == nil)
        #expect(speakable.voice(for: "avis-imposition-2026.pdf", lang: "fr") == nil)
        #expect(speakable.voice(for: "Commencer", lang: "ar") == nil)
        #expect(speakable.voice(for: "Commencer", lang: "xx") == nil)
        #expect(speakable.voice(for: "0612345678", lang: "fr") == nil)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/espeak-ng")))
    func everyLanguageSpeaksAWaveOfPlausibleLength() async throws {
        let speech = KioskSpeech()
        for (code, table) in Self.strings {
            let text = try #require(table["welcomeText"])
            let voice = try #require(table["voice"])
            let wav = try await speech.audio(SpeakableTexts.normalized(text), voice: voice)
            let seconds = try Self.duration(wav)
            // Between 4 and 30 characters a second: a voice, neither silence nor a click.
            let rate = Double(text.count) / seconds
            #expect((4...30).contains(rate), "\(code): \(text.count) characters in \(seconds) s")
            // Said twice, synthesized once: the same bytes.
            #expect(try await speech.audio(SpeakableTexts.normalized(text), voice: voice) == wav)
        }
    }

    /// The length of a PCM WAV from its header: its `data` size over the byte rate.
    static func duration(_ wav: Data) throws -> Double {
        func u32(_ at: Int) -> Int { Int(wav[at]) | Int(wav[at + 1]) << 8 | Int(wav[at + 2]) << 16 | Int(wav[at + 3]) << 24 }
        try #require(wav.count > 44 && wav.prefix(4) == Data("RIFF".utf8))
        #expect(u32(4) == wav.count - 8, "RIFF size")
        let byteRate = u32(28)
        var offset = 12
        while offset + 8 <= wav.count {
            if wav[offset..<offset + 4] == Data("data".utf8) {
                #expect(u32(offset + 4) == wav.count - offset - 8, "data size")
                return Double(u32(offset + 4)) / Double(byteRate)
            }
            offset += 8 + u32(offset + 4)
        }
        throw CocoaError(.fileReadCorruptFile)
    }
}
