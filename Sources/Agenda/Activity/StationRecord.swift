import Foundation

/// What a station tells the structure, one fact at a time: written straight to the database
/// by a station the server drives, queued in the station's outbox and delivered exactly once
/// by a station on its own PC. Never a usager's data: ids, counts, times, a score.
public enum StationRecord: Sendable, Equatable {
    case use(StationUse)
    case wipe(station: String, at: Date, durationMs: Int, reason: String, succeeded: Bool, leftovers: Int)
    case satisfaction(at: Date, score: Int)
    case help(station: String, session: String?, at: Date)
    case alert(station: String, message: String, at: Date)
    case closeUnfinished(station: String, at: Date)

    /// The station the fact is about (a device may only speak for itself); nil for the
    /// anonymous satisfaction answer.
    public var station: String? {
        switch self {
        case .use(let use): use.station
        case .wipe(let station, _, _, _, _, _), .help(let station, _, _), .alert(let station, _, _), .closeUnfinished(let station, _): station
        case .satisfaction: nil
        }
    }
}

/// The wire form: `{"kind": "...", ...fields}`, times as whole seconds since 1970 (UTC).
/// Decoding is strict: unknown kinds, missing fields and out-of-range values are refused.
extension StationRecord: Codable {
    enum Key: String, CodingKey {
        case kind, id, station, start, end, lifeSituations, partnerSites, pagesPrinted, pagesScanned, helpRequested, accompanied, language
        case at, durationMs, reason, succeeded, leftovers, score, session, message
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        func time(_ date: Date, _ key: Key) throws { try c.encode(Int64(date.timeIntervalSince1970.rounded(.down)), forKey: key) }
        switch self {
        case .use(let u):
            try c.encode("use", forKey: .kind)
            try c.encode(u.id, forKey: .id)
            try c.encode(u.station, forKey: .station)
            try time(u.start, .start)
            if let end = u.end { try time(end, .end) }
            try c.encode(u.lifeSituations, forKey: .lifeSituations)
            try c.encode(u.partnerSites, forKey: .partnerSites)
            try c.encode(u.pagesPrinted, forKey: .pagesPrinted)
            try c.encode(u.pagesScanned, forKey: .pagesScanned)
            try c.encode(u.helpRequested, forKey: .helpRequested)
            try c.encode(u.accompanied, forKey: .accompanied)
            try c.encodeIfPresent(u.language, forKey: .language)
        case .wipe(let station, let at, let durationMs, let reason, let succeeded, let leftovers):
            try c.encode("wipe", forKey: .kind)
            try c.encode(station, forKey: .station)
            try time(at, .at)
            try c.encode(durationMs, forKey: .durationMs)
            try c.encode(reason, forKey: .reason)
            try c.encode(succeeded, forKey: .succeeded)
            try c.encode(leftovers, forKey: .leftovers)
        case .satisfaction(let at, let score):
            try c.encode("satisfaction", forKey: .kind)
            try time(at, .at)
            try c.encode(score, forKey: .score)
        case .help(let station, let session, let at):
            try c.encode("help", forKey: .kind)
            try c.encode(station, forKey: .station)
            try c.encodeIfPresent(session, forKey: .session)
            try time(at, .at)
        case .alert(let station, let message, let at):
            try c.encode("alert", forKey: .kind)
            try c.encode(station, forKey: .station)
            try c.encode(message, forKey: .message)
            try time(at, .at)
        case .closeUnfinished(let station, let at):
            try c.encode("close-unfinished", forKey: .kind)
            try c.encode(station, forKey: .station)
            try time(at, .at)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func time(_ key: Key) throws -> Date {
            let seconds = try c.decode(Int64.self, forKey: key)
            guard (0...4_102_444_800).contains(seconds) else { throw Invalid(description: "\(key.stringValue): not a time") }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        func text(_ key: Key, max: Int = 200) throws -> String {
            let value = try c.decode(String.self, forKey: key)
            guard !value.isEmpty, value.count <= max else { throw Invalid(description: "\(key.stringValue): empty or longer than \(max)") }
            return value
        }
        func count(_ key: Key) throws -> Int {
            let value = try c.decode(Int.self, forKey: key)
            guard (0...100_000).contains(value) else { throw Invalid(description: "\(key.stringValue): out of range") }
            return value
        }
        func ids(_ key: Key) throws -> [String] {
            let values = try c.decode([String].self, forKey: key)
            guard values.count <= 50, values.allSatisfy({ !$0.isEmpty && $0.count <= 200 }) else { throw Invalid(description: "\(key.stringValue): invalid list") }
            return values
        }
        switch try c.decode(String.self, forKey: .kind) {
        case "use":
            let language = try c.decodeIfPresent(String.self, forKey: .language)
            if let language, !StationLanguage.isValid(language) { throw Invalid(description: "language: not a language code") }
            self = .use(
                StationUse(
                    id: try text(.id, max: 40), station: try text(.station, max: 60), start: try time(.start),
                    end: c.contains(.end) ? try time(.end) : nil, lifeSituations: try ids(.lifeSituations), partnerSites: try ids(.partnerSites),
                    pagesPrinted: try count(.pagesPrinted), pagesScanned: try count(.pagesScanned), helpRequested: try c.decode(Bool.self, forKey: .helpRequested),
                    accompanied: try c.decode(Bool.self, forKey: .accompanied), language: language))
        case "wipe":
            self = .wipe(
                station: try text(.station, max: 60), at: try time(.at), durationMs: try count(.durationMs), reason: try text(.reason, max: 20),
                succeeded: try c.decode(Bool.self, forKey: .succeeded), leftovers: try count(.leftovers))
        case "satisfaction":
            let score = try c.decode(Int.self, forKey: .score)
            guard SatisfactionAnswer.scale.contains(score) else { throw Invalid(description: "score: from 1 to 5") }
            self = .satisfaction(at: try time(.at), score: score)
        case "help":
            self = .help(station: try text(.station, max: 60), session: c.contains(.session) ? try text(.session, max: 40) : nil, at: try time(.at))
        case "alert":
            self = .alert(station: try text(.station, max: 60), message: try text(.message, max: 500), at: try time(.at))
        case "close-unfinished":
            self = .closeUnfinished(station: try text(.station, max: 60), at: try time(.at))
        case let other:
            throw Invalid(description: "unknown record kind \(other)")
        }
    }
}
