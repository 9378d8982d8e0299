import Foundation

/// The France Services structure this daemon runs: who it is and what it has.
public struct Structure: Sendable {
    public var id: String
    public var name: String
    public var address: String
    public var timeZone: StructureTimeZone
    public var email: String
    public var phone: String
    public var label: StructureLabel
    /// The hours from the configuration; the store keeps the live plan.
    public var openingHours: WeeklyHours
    public var partners: [Partner]
    public var lifeSituations: [LifeSituation]
    public var rooms: [Room]
    public var stations: [Station]
    public var visio: VisioSettings

    public init(
        id: String, name: String, address: String, timeZone: StructureTimeZone, email: String, phone: String,
        label: StructureLabel, openingHours: WeeklyHours, partners: [Partner], lifeSituations: [LifeSituation],
        rooms: [Room], stations: [Station], visio: VisioSettings
    ) {
        self.id = id
        self.name = name
        self.address = address
        self.timeZone = timeZone
        self.email = email
        self.phone = phone
        self.label = label
        self.openingHours = openingHours
        self.partners = partners
        self.lifeSituations = lifeSituations
        self.rooms = rooms
        self.stations = stations
        self.visio = visio
    }

    public func partner(_ id: String) -> Partner? { partners.first { $0.id == id } }
    public func lifeSituation(_ id: String) -> LifeSituation? { lifeSituations.first { $0.id == id } }
    public func room(_ id: String) -> Room? { rooms.first { $0.id == id } }
    public func station(_ id: String) -> Station? { stations.first { $0.id == id } }

    /// The partners whose official website is `site` (a URL or a bare host such as
    /// `www.caf.fr`): what a station session counts when the usager opens it. Hosts compare
    /// without case and without a leading `www.`; a value that already is a partner id
    /// (sessions recorded that way) maps to itself.
    public func partners(forSite site: String) -> [String] {
        if partner(site) != nil { return [site] }
        guard let host = Self.siteHost(site) else { return [] }
        return partners.filter { Self.siteHost($0.website) == host }.map(\.id)
    }

    /// A site's host, lowercased, without `www.`; nil for text that names no host.
    static func siteHost(_ site: String) -> String? {
        let host = (URL(string: site)?.host ?? (site.contains("/") ? nil : site))?.lowercased()
        guard let host, !host.isEmpty else { return nil }
        return host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
    }

    /// The confidential space used for visio appointments (the first one configured).
    public var confidentialRoom: Room? { rooms.first { $0.confidential } }

    /// The station carrying the visioconference device.
    public var visioStation: Station? { stations.first { $0.visio } }
}

/// A partner of the bouquet de services (the nine national ones, or a local one).
public struct Partner: Sendable, Hashable {
    public var id: String
    public var name: String
    public var national: Bool
    public var website: String
    /// What a usager brings to an appointment with this partner (French; the booking's page
    /// and the station's slip list it).
    public var bring: [String]

    public init(id: String, name: String, national: Bool, website: String, bring: [String] = []) {
        self.id = id
        self.name = name
        self.national = national
        self.website = website
        self.bring = bring
    }
}

/// A life situation of the bouquet ("I am having a baby"), tied to partners.
public struct LifeSituation: Sendable, Hashable {
    public var id: String
    public var theme: String
    public var titleFrench: String
    public var titleEnglish: String
    public var partners: [String]
    public var websites: [String]

    public init(id: String, theme: String, titleFrench: String, titleEnglish: String, partners: [String], websites: [String]) {
        self.id = id
        self.theme = theme
        self.titleFrench = titleFrench
        self.titleEnglish = titleEnglish
        self.partners = partners
        self.websites = websites
    }
}

/// A room of the structure; the confidential space is one of them.
public struct Room: Sendable, Hashable {
    public var id: String
    public var name: String
    public var confidential: Bool

    public init(id: String, name: String, confidential: Bool) {
        self.id = id
        self.name = name
        self.confidential = confidential
    }
}

/// A PC of the structure: a self-service station, or the visio device of the confidential space.
public struct Station: Sendable, Hashable {
    public var id: String
    public var name: String
    public var room: String
    public var selfService: Bool
    public var visio: Bool

    public init(id: String, name: String, room: String, selfService: Bool, visio: Bool) {
        self.id = id
        self.name = name
        self.room = room
        self.selfService = selfService
        self.visio = visio
    }
}

/// How visio appointments are offered.
public struct VisioSettings: Sendable, Hashable {
    /// Default length of a visio appointment, minutes.
    public var slotMinutes: Int
    public var stunServers: [String]
    public var turnServers: [String]
    /// How long before the slot a specialist's link opens, minutes.
    public var joinEarlyMinutes: Int
    /// The secret shared with coturn (`static-auth-secret`): TURN credentials are derived per call.
    public var turnSecret: String?
    /// The room's video codec: one the structure chose, or the specialist's browser's first
    /// preference among those the room sends (`auto`).
    public var codec: VideoCodecChoice

    public init(
        slotMinutes: Int, stunServers: [String], turnServers: [String], joinEarlyMinutes: Int, turnSecret: String? = nil, codec: VideoCodecChoice = .auto
    ) {
        self.slotMinutes = slotMinutes
        self.stunServers = stunServers
        self.turnServers = turnServers
        self.joinEarlyMinutes = joinEarlyMinutes
        self.turnSecret = turnSecret
        self.codec = codec
    }
}

/// The video codecs the room sends.
public enum VideoCodec: String, Sendable, Hashable, CaseIterable {
    case vp8, h264

    /// The room's pipeline for this codec (`media/presets`).
    public var preset: String { "\(rawValue)-opus" }

    /// The codec of a WebRTC name (`VP8`, `video/H264`), nil for others.
    public init?(webRTCName name: String) {
        switch name.uppercased().replacingOccurrences(of: "VIDEO/", with: "") {
        case "VP8": self = .vp8
        case "H264": self = .h264
        default: return nil
        }
    }
}

public enum VideoCodecChoice: String, Sendable, Hashable, CaseIterable {
    case auto, vp8, h264

    /// The codec for a call. A chosen codec holds unless the browser said it cannot decode it;
    /// `auto` follows the browser's order; VP8 when the browser said nothing (every WebRTC browser decodes it).
    public func codec(browserPrefers names: [String]) -> VideoCodec {
        let browser = names.compactMap(VideoCodec.init(webRTCName:))
        switch self {
        case .vp8: return .vp8
        case .h264: return browser.isEmpty || browser.contains(.h264) ? .h264 : .vp8
        case .auto: return browser.first ?? .vp8
        }
    }
}
