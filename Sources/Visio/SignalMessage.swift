import Foundation

/// The visio's signalling protocol: one JSON object per WebSocket text message, with a
/// `type` and only the keys that type allows (anything else is refused, never ignored).
///
/// | type | direction | keys |
/// |---|---|---|
/// | `join` | specialist → daemon | — (the link already says who and which call) |
/// | `waiting` | daemon → specialist | — (in the waiting room until an agent admits) |
/// | `admitted` | daemon → specialist | `iceServers` (`RTCIceServer` objects: `urls`, TURN's time-limited `username`, `credential`) |
/// | `offer` | daemon (room) → specialist | `sdp` |
/// | `answer` | specialist → daemon | `sdp` |
/// | `candidate` | both | `mline` (0–7), `candidate` (≤ 1 KiB; empty = end of candidates) |
/// | `chat` | specialist → room | `text` (≤ 2 000 characters) |
/// | `leave` | both | — (hang up) |
/// | `error` | daemon → specialist | `code`, `message` |
public enum SignalMessage: Equatable, Sendable {
    case join
    case waiting
    case admitted(iceServers: [IceServer])
    case offer(sdp: String)
    case answer(sdp: String)
    case candidate(mline: Int, candidate: String)
    case chat(String)
    case leave
    case error(code: String, message: String)

    public static let maximumBytes = 70 * 1024
    public static let maximumSDPBytes = 64 * 1024

    public var type: String {
        switch self {
        case .join: "join"
        case .waiting: "waiting"
        case .admitted: "admitted"
        case .offer: "offer"
        case .answer: "answer"
        case .candidate: "candidate"
        case .chat: "chat"
        case .leave: "leave"
        case .error: "error"
        }
    }

    /// Reads a message from a peer; a refusal says why in a code the page can show.
    public static func parse(_ text: String) throws(SignalError) -> SignalMessage {
        guard text.utf8.count <= maximumBytes else { throw .tooLarge }
        guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformed("not a JSON object")
        }
        guard let type = object["type"] as? String else { throw .malformed("no type") }
        func only(_ keys: Set<String>) throws(SignalError) {
            if let extra = Set(object.keys).subtracting(keys.union(["type"])).sorted().first { throw .malformed("unexpected key \(extra)") }
        }
        func string(_ key: String, max: Int, allowEmpty: Bool = false) throws(SignalError) -> String {
            guard let value = object[key] as? String else { throw .malformed("\(key) must be a string") }
            guard value.utf8.count <= max else { throw .tooLarge }
            guard allowEmpty || !value.isEmpty else { throw .malformed("\(key) is empty") }
            return value
        }
        switch type {
        case "join":
            try only([])
            return .join
        case "answer", "offer":
            try only(["sdp"])
            let sdp = try string("sdp", max: maximumSDPBytes)
            guard sdp.hasPrefix("v=0") else { throw .malformed("sdp is not a session description") }
            return type == "answer" ? .answer(sdp: sdp) : .offer(sdp: sdp)
        case "candidate":
            try only(["mline", "candidate"])
            // JSON `true` also reads as 1: only a number whose type is an integer counts.
            guard let number = object["mline"] as? NSNumber, String(cString: number.objCType) != "c", let mline = object["mline"] as? Int,
                (0...7).contains(mline)
            else { throw .malformed("mline must be 0–7") }
            let candidate = try string("candidate", max: 1024, allowEmpty: true)
            guard candidate.isEmpty || candidate.hasPrefix("candidate:"), !candidate.contains("\r"), !candidate.contains("\n") else {
                throw .malformed("not an ICE candidate")
            }
            return .candidate(mline: mline, candidate: candidate)
        case "chat":
            try only(["text"])
            let text = try string("text", max: 8 * 1024)
            guard text.count <= 2000 else { throw .tooLarge }
            return .chat(text)
        case "leave":
            try only([])
            return .leave
        default:
            throw .unknownType(String(type.prefix(40)))
        }
    }

    /// The JSON text sent to a peer.
    public var json: String {
        var object: [String: Any] = ["type": type]
        switch self {
        case .admitted(let servers): object["iceServers"] = servers.map(\.json)
        case .offer(let sdp), .answer(let sdp): object["sdp"] = sdp
        case .candidate(let mline, let candidate):
            object["mline"] = mline
            object["candidate"] = candidate
        case .chat(let text): object["text"] = text
        case .error(let code, let message):
            object["code"] = code
            object["message"] = message
        case .join, .waiting, .leave: break
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

public enum SignalError: Error, Equatable, Sendable {
    case tooLarge
    case malformed(String)
    case unknownType(String)
    case notNow(String)
    case flood

    public var code: String {
        switch self {
        case .tooLarge: "too_large"
        case .malformed: "malformed"
        case .unknownType: "unknown_type"
        case .notNow: "not_now"
        case .flood: "too_many_messages"
        }
    }

    public var message: String {
        switch self {
        case .tooLarge: "Message trop long."
        case .malformed(let why): "Message invalide (\(why))."
        case .unknownType(let type): "Type de message inconnu : \(type)."
        case .notNow(let why): "Message hors séquence (\(why))."
        case .flood: "Trop de messages : l’appel est protégé."
        }
    }
}

/// A flood guard per connection: a bucket of `burst` messages refilled at `perSecond`.
public struct MessageBudget: Sendable {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: Date?

    public init(perSecond: Double = 50, burst: Double = 200) {
        self.perSecond = perSecond
        self.burst = burst
        tokens = burst
    }

    public mutating func spend(at now: Date) -> Bool {
        if let last { tokens = min(burst, tokens + now.timeIntervalSince(last) * perSecond) }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// When a specialist's link works: from `early` before the slot to its end, never for a
/// cancelled booking.
public enum JoinWindow: Equatable, Sendable {
    case tooEarly(opensAt: Date)
    case open
    case closed

    public static func at(_ now: Date, start: Date, end: Date, early: TimeInterval, cancelled: Bool) -> JoinWindow {
        if cancelled || now >= end { return .closed }
        if now < start.addingTimeInterval(-early) { return .tooEarly(opensAt: start.addingTimeInterval(-early)) }
        return .open
    }
}
