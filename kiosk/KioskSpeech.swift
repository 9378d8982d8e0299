import Foundation

/// The station's voice: espeak-ng, run on the station itself (no cloud), one WAV per text and
/// voice, kept in memory so a screen read twice is synthesized once. It is handed only texts
/// the station shows by itself (see `SpeakableTexts`), never what a usager typed.
public actor KioskSpeech {
    public enum Failure: Error, CustomStringConvertible {
        case unavailable(String)
        case failed(String)

        public var description: String {
            switch self {
            case .unavailable(let why): "speech is unavailable: \(why)"
            case .failed(let why): "speech failed: \(why)"
            }
        }
    }

    let program: String
    /// Words a minute: espeak-ng's default (175) is fast for someone who struggles to follow.
    let rate: Int
    let budget: Int
    private var cache: [String: Data] = [:]
    private var order: [String] = []
    private var bytes = 0
    private var running: [String: Task<Data, any Error>] = [:]

    public init(program: String = "/usr/bin/espeak-ng", rate: Int = 140, budget: Int = 64 << 20) {
        self.program = program
        self.rate = rate
        self.budget = budget
    }

    public var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: program) }

    /// The WAV of `text` in `voice` (an espeak-ng voice name), from the cache when it was said before.
    public func audio(_ text: String, voice: String) async throws -> Data {
        let key = voice + "\u{0}" + text
        if let data = cache[key] { return data }
        if let task = running[key] { return try await task.value }
        guard isInstalled else { throw Failure.unavailable("\(program) is not installed (Debian: apt-get install espeak-ng)") }
        let task = Task { [program, rate] in try await Self.synthesize(text, voice: voice, program: program, rate: rate) }
        running[key] = task
        defer { running[key] = nil }
        let data = try await task.value
        remember(key, data)
        return data
    }

    private func remember(_ key: String, _ data: Data) {
        guard data.count <= budget else { return }
        while bytes + data.count > budget, let oldest = order.first {
            order.removeFirst()
            bytes -= cache.removeValue(forKey: oldest)?.count ?? 0
        }
        cache[key] = data
        order.append(key)
        bytes += data.count
    }

    /// espeak-ng writes a streamed WAV on its standard output (its sizes left unknown); the
    /// sizes are written in, so every player and `soxi` reads its true duration.
    static func synthesize(_ text: String, voice: String, program: String, rate: Int) async throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        // `--` : a text starting with a dash is text, not an option.
        process.arguments = ["-v", voice, "-s", String(rate), "--stdout", "--", text]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: Failure.unavailable("\(program) could not start: \(error.localizedDescription)"))
                return
            }
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                guard process.terminationStatus == 0, let wav = wavWithSizes(data) else {
                    continuation.resume(throwing: Failure.failed("\(program) -v \(voice) exited with status \(process.terminationStatus)"))
                    return
                }
                continuation.resume(returning: wav)
            }
        }
    }

    /// The RIFF and `data` chunk sizes set from the bytes actually there; nil when it is not a WAV.
    static func wavWithSizes(_ data: Data) -> Data? {
        var wav = Data(data)
        guard wav.count > 44, wav.prefix(4) == Data("RIFF".utf8), wav[8..<12] == Data("WAVE".utf8) else { return nil }
        func put(_ value: Int, at offset: Int) {
            let v = UInt32(clamping: value)
            wav.replaceSubrange(offset..<offset + 4, with: [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)])
        }
        put(wav.count - 8, at: 4)
        var offset = 12
        while offset + 8 <= wav.count {
            let size = Int(wav[offset + 4]) | Int(wav[offset + 5]) << 8 | Int(wav[offset + 6]) << 16 | Int(wav[offset + 7]) << 24
            if wav[offset..<offset + 4] == Data("data".utf8) {
                put(wav.count - offset - 8, at: offset + 4)
                return wav
            }
            offset += 8 + size
        }
        return nil
    }
}

/// What the station may say: the texts it shows by itself, per language of the page (`lang`),
/// and numbers and times (a countdown, a slot). Anything else — a name the usager typed, a
/// file's name, a document — is not in it, so it is refused before any synthesis.
public struct SpeakableTexts: Sendable {
    /// Text (whitespace collapsed) by `lang`.
    let texts: [String: Set<String>]
    /// The espeak-ng voice of each `lang`.
    public let voices: [String: String]

    /// `strings`: the station's texts by file (each with `lang` and `voice`); `extra`: texts of
    /// the configuration shown on the station (life situations, themes, partners) by `lang`.
    public init(strings: [String: [String: String]], extra: [String: [String]]) {
        var texts: [String: Set<String>] = [:]
        var voices: [String: String] = [:]
        for (code, table) in strings {
            guard let lang = table["lang"] else { continue }
            // Easy-to-read French is `lang` fr: French's own file names the voice.
            if let voice = table["voice"], code == lang || voices[lang] == nil { voices[lang] = voice }
            texts[lang, default: []].formUnion(table.values.map(Self.key))
        }
        for (lang, list) in extra { texts[lang, default: []].formUnion(list.map(Self.key)) }
        self.texts = texts
        self.voices = voices
    }

    /// The voice to say `text` with in `lang`, or nil when the station does not show that text.
    public func voice(for text: String, lang: String) -> String? {
        guard let voice = voices[lang] else { return nil }
        let text = Self.normalized(text)
        guard !text.isEmpty, text.count <= 600 else { return nil }
        if texts[lang]?.contains(Self.key(text)) == true || Self.isNumberOrTime(text) { return voice }
        return nil
    }

    /// A text as compared: a label's colon ("Votre code personnel :") is the same text.
    static func key(_ text: String) -> String {
        var text = normalized(text)
        while let last = text.last, last == ":" || last == " " || last == "\u{00A0}" { text.removeLast() }
        return text
    }

    public static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// "60", "3", "09:30", "14h15": what a countdown, a page count or a slot shows.
    static func isNumberOrTime(_ text: String) -> Bool {
        text.wholeMatch(of: /[0-9]{1,4}/) != nil || text.wholeMatch(of: /[0-9]{1,2}[:h][0-9]{2}/) != nil
    }
}
