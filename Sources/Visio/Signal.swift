import Foundation

/// The visio's signalling protocol: one JSON object per WebSocket text message, with a
/// `type` and only the keys that type allows (anything else is refused, never ignored).
/// Every message may carry `version`; the daemon writes it on each of its messages and
/// refuses a client that speaks another one.
///
/// | type | direction | keys |
/// |---|---|---|
/// | `join` | specialist → daemon | optional `codecs`: the video codecs the browser decodes, its preferred first (≤ 16 names such as `video/H264`) |
/// | `waiting` | daemon → specialist | — (in the waiting room until an agent admits) |
/// | `admitted` | daemon → specialist | `iceServers` (`RTCIceServer` objects: `urls`, TURN's time-limited `username`, `credential`) |
/// | `offer` | daemon (room) → specialist | `sdp` |
/// | `answer` | specialist → daemon | `sdp` |
/// | `candidate` | both | `mline` (0–7), `candidate` (≤ 1 KiB; empty = end of candidates) |
/// | `chat` | specialist → room | `text` (≤ 2 000 characters) |
/// | `leave` | both | — (hang up) |
/// | `error` | daemon → specialist | `code`, `message` (`call_ended`: the call is over; `link_in_use`: another device holds the link's call; else a refused message) |
public enum SignalProtocol {
    public static let version = 1
    public static let maximumBytes = 70 * 1024
    public static let maximumSDPBytes = 64 * 1024
}

/// What the specialist's page may send.
public enum IncomingSignal: Equatable, Sendable {
    /// `codecs`: the browser's video codecs, preferred first (the room picks its codec from them).
    case join(codecs: [String] = [])
    case answer(sdp: String)
    case candidate(mline: Int, candidate: String)
    case chat(String)
    case leave

    /// Reads a message from a peer; a refusal says why in a code the page can show.
    public static func parse(_ text: String) throws(SignalError) -> IncomingSignal {
        guard text.utf8.count <= SignalProtocol.maximumBytes else { throw .tooLarge }
        do {
            return try JSONDecoder().decode(IncomingSignal.self, from: Data(text.utf8))
        } catch let error as SignalError {
            throw error
        } catch {
            throw .malformed("not a JSON object")
        }
    }
}

/// What the daemon sends to the specialist's page.
public enum OutgoingSignal: Equatable, Sendable {
    case waiting
    case admitted(iceServers: [IceServer])
    case offer(sdp: String)
    case candidate(mline: Int, candidate: String)
    case leave
    case error(code: String, message: String)

    public static func refusal(_ error: SignalError) -> OutgoingSignal { .error(code: error.code, message: error.message) }

    /// The JSON text sent to a peer.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads a daemon's message (the tests' second client, and any Swift peer).
    public static func parse(_ text: String) throws -> OutgoingSignal {
        try JSONDecoder().decode(OutgoingSignal.self, from: Data(text.utf8))
    }

    public var errorCode: String? {
        if case .error(let code, _) = self { code } else { nil }
    }
}

/// The keys of every message, and the strict checks shared by both directions.
enum SignalKeys: String, CodingKey {
    case type, version, sdp, mline, candidate, text, iceServers, code, message, codecs

    /// Refuses any key the type does not allow, and a version this daemon does not speak.
    static func check(_ decoder: any Decoder, allowed: Set<SignalKeys>) throws -> KeyedDecodingContainer<SignalKeys> {
        let any = try decoder.container(keyedBy: AnyKey.self)
        if let extra = any.allKeys.map(\.stringValue).filter({ SignalKeys(rawValue: $0).map { !allowed.union([.type, .version]).contains($0) } ?? true }).sorted().first {
            throw SignalError.malformed("unexpected key \(extra)")
        }
        let container = try decoder.container(keyedBy: SignalKeys.self)
        if let version = try? container.decodeIfPresent(Int.self, forKey: .version), version != SignalProtocol.version {
            throw SignalError.unsupportedVersion(version)
        }
        return container
    }

    static func type(_ decoder: any Decoder) throws -> String {
        let container = try decoder.container(keyedBy: SignalKeys.self)
        guard let type = try? container.decode(String.self, forKey: .type) else { throw SignalError.malformed("no type") }
        return type
    }

    static func string(_ container: KeyedDecodingContainer<SignalKeys>, _ key: SignalKeys, max: Int, allowEmpty: Bool = false) throws -> String {
        guard let value = try? container.decode(String.self, forKey: key) else { throw SignalError.malformed("\(key.rawValue) must be a string") }
        guard value.utf8.count <= max else { throw SignalError.tooLarge }
        guard allowEmpty || !value.isEmpty else { throw SignalError.malformed("\(key.rawValue) is empty") }
        return value
    }

    static func sdp(_ container: KeyedDecodingContainer<SignalKeys>) throws -> String {
        let sdp = try string(container, .sdp, max: SignalProtocol.maximumSDPBytes)
        guard sdp.hasPrefix("v=0") else { throw SignalError.malformed("sdp is not a session description") }
        return sdp
    }

    static func codecs(_ container: KeyedDecodingContainer<SignalKeys>) throws -> [String] {
        guard container.contains(.codecs) else { return [] }
        guard let names = try? container.decode([String].self, forKey: .codecs) else { throw SignalError.malformed("codecs must be a list of names") }
        guard names.count <= 16, names.allSatisfy({ (1...32).contains($0.utf8.count) && $0.allSatisfy { $0.isLetter || $0.isNumber || "/-._".contains($0) } }) else {
            throw SignalError.malformed("codecs: at most 16 names such as video/H264")
        }
        return names
    }

    static func candidate(_ container: KeyedDecodingContainer<SignalKeys>) throws -> (Int, String) {
        // JSONDecoder refuses `true` where an Int is expected (JSONSerialization read it as 1).
        guard let mline = try? container.decode(Int.self, forKey: .mline), (0...7).contains(mline) else { throw SignalError.malformed("mline must be 0–7") }
        let candidate = try string(container, .candidate, max: 1024, allowEmpty: true)
        guard candidate.isEmpty || candidate.hasPrefix("candidate:"), !candidate.contains("\r"), !candidate.contains("\n") else {
            throw SignalError.malformed("not an ICE candidate")
        }
        return (mline, candidate)
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension IncomingSignal: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try SignalKeys.type(decoder)
        switch type {
        case "join":
            let container = try SignalKeys.check(decoder, allowed: [.codecs])
            self = .join(codecs: try SignalKeys.codecs(container))
        case "answer":
            self = .answer(sdp: try SignalKeys.sdp(try SignalKeys.check(decoder, allowed: [.sdp])))
        case "candidate":
            let (mline, candidate) = try SignalKeys.candidate(try SignalKeys.check(decoder, allowed: [.mline, .candidate]))
            self = .candidate(mline: mline, candidate: candidate)
        case "chat":
            let text = try SignalKeys.string(try SignalKeys.check(decoder, allowed: [.text]), .text, max: 8 * 1024)
            guard text.count <= 2000 else { throw SignalError.tooLarge }
            self = .chat(text)
        case "leave":
            _ = try SignalKeys.check(decoder, allowed: [])
            self = .leave
        case "offer", "waiting", "admitted", "error":
            throw SignalError.notNow("the room makes the offer")
        default:
            throw SignalError.unknownType(String(type.prefix(40)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: SignalKeys.self)
        try container.encode(SignalProtocol.version, forKey: .version)
        switch self {
        case .join(let codecs):
            try container.encode("join", forKey: .type)
            if !codecs.isEmpty { try container.encode(codecs, forKey: .codecs) }
        case .answer(let sdp):
            try container.encode("answer", forKey: .type)
            try container.encode(sdp, forKey: .sdp)
        case .candidate(let mline, let candidate):
            try container.encode("candidate", forKey: .type)
            try container.encode(mline, forKey: .mline)
            try container.encode(candidate, forKey: .candidate)
        case .chat(let text):
            try container.encode("chat", forKey: .type)
            try container.encode(text, forKey: .text)
        case .leave: try container.encode("leave", forKey: .type)
        }
    }
}

extension OutgoingSignal: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: SignalKeys.self)
        switch try SignalKeys.type(decoder) {
        case "waiting": self = .waiting
        case "admitted": self = .admitted(iceServers: try container.decode([IceServer].self, forKey: .iceServers))
        case "offer": self = .offer(sdp: try SignalKeys.sdp(container))
        case "candidate":
            let (mline, candidate) = try SignalKeys.candidate(container)
            self = .candidate(mline: mline, candidate: candidate)
        case "leave": self = .leave
        case "error": self = .error(code: try container.decode(String.self, forKey: .code), message: try container.decode(String.self, forKey: .message))
        case let other: throw SignalError.unknownType(String(other.prefix(40)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: SignalKeys.self)
        try container.encode(SignalProtocol.version, forKey: .version)
        switch self {
        case .waiting: try container.encode("waiting", forKey: .type)
        case .admitted(let servers):
            try container.encode("admitted", forKey: .type)
            try container.encode(servers, forKey: .iceServers)
        case .offer(let sdp):
            try container.encode("offer", forKey: .type)
            try container.encode(sdp, forKey: .sdp)
        case .candidate(let mline, let candidate):
            try container.encode("candidate", forKey: .type)
            try container.encode(mline, forKey: .mline)
            try container.encode(candidate, forKey: .candidate)
        case .leave: try container.encode("leave", forKey: .type)
        case .error(let code, let message):
            try container.encode("error", forKey: .type)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
        }
    }
}

public enum SignalError: Error, Equatable, Sendable {
    case tooLarge
    case malformed(String)
    case unknownType(String)
    case unsupportedVersion(Int)
    case notNow(String)
    case flood
    /// Another device holds the link's call (one specialist per link).
    case linkInUse

    public var code: String {
        switch self {
        case .tooLarge: "too_large"
        case .malformed: "malformed"
        case .unknownType: "unknown_type"
        case .unsupportedVersion: "unsupported_version"
        case .notNow: "not_now"
        case .flood: "too_many_messages"
        case .linkInUse: "link_in_use"
        }
    }

    public var message: String {
        switch self {
        case .tooLarge: "Message trop long."
        case .malformed(let why): "Message invalide (\(why))."
        case .unknownType(let type): "Type de message inconnu : \(type)."
        case .unsupportedVersion(let version): "Version du protocole non prise en charge : \(version) (ce guichet parle la version \(SignalProtocol.version))."
        case .notNow(let why): "Message hors séquence (\(why))."
        case .flood: "Trop de messages : l’appel est protégé."
        case .linkInUse: "Ce lien est déjà utilisé sur un autre appareil. Un seul appareil à la fois : fermez l’autre fenêtre, puis réessayez."
        }
    }
}
