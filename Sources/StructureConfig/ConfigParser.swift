import Agenda
import Foundation

/// Turns the configuration's JSON tree into validated values.
struct ConfigParser {
    let file: String

    /// The nine national partners of the bouquet de services (circulaire du 1er juillet 2019).
    static let nationalPartners = ["caf", "cpam", "cnav", "msa", "france-travail", "dgfip", "la-poste", "interieur", "justice"]

    func parse(_ root: JSONValue) throws(ConfigError) -> GuichetConfig {
        let top = try ConfigReader(file: file, path: "", value: root)
        _ = top.optionalRaw("$comment")
        let s = try top.object("structure")
        let id = try slug(s, "id")
        let name = try s.string("name", maxLength: 200)
        let address = try s.string("address")
        let zoneName = try s.string("timeZone")
        // A fixed offset ("UTC+1", "GMT+01:00", "Etc/GMT-1") knows no summer time: every
        // time would be an hour off half the year. Only a named IANA zone is accepted.
        let fixed = ["UTC", "GMT", "Etc/", "UT+", "UT-"].contains { zoneName.uppercased().hasPrefix($0.uppercased()) }
        guard !fixed, TimeZone.knownTimeZoneIdentifiers.contains(zoneName), let zone = StructureTimeZone(identifier: zoneName) else {
            throw s.fail(
                "timeZone",
                fixed ? "'\(zoneName)' is a fixed offset, which knows no summer time: use the structure's IANA zone, such as Europe/Paris"
                    : "unknown time zone '\(zoneName)' (use an IANA name such as Europe/Paris)")
        }
        let email = try s.string("email", maxLength: 254)
        guard email.split(separator: "@").count == 2, email.contains("."), !email.contains(" ") else {
            throw s.fail("email", "'\(email)' is not an e-mail address")
        }
        let phone = try s.string("phone", maxLength: 30)
        guard phone.filter(\.isNumber).count >= 6 else { throw s.fail("phone", "'\(phone)' is not a phone number") }
        let labelName = try s.string("label")
        guard let label = StructureLabel(rawValue: labelName) else {
            throw s.fail("label", "must be one of \(StructureLabel.allCases.map(\.rawValue).joined(separator: ", ")), found '\(labelName)'")
        }
        try s.finish()

        let hours = try openingHours(top.object("openingHours"))
        do {
            try OpeningHoursMinimum.check(hours, label: label)
        } catch {
            throw ConfigError(file: file, key: "openingHours", message: "\(error.english) (rule \(error.details["rule"] ?? ""))")
        }

        let partners = try self.partners(top, label: label)
        let partnerIDs = Set(partners.map(\.id))
        let situations = try lifeSituations(top, partners: partnerIDs)
        let rooms = try self.rooms(top)
        let stations = try self.stations(top, rooms: rooms)
        let visio = try self.visio(top.object("visio"))
        let bookingReader = try top.object("booking")
        let booking = BookingSettings(slotMinutes: try bookingReader.int("slotMinutes", in: 5...240))
        try bookingReader.finish()
        let console = try top.optionalObject("console").map { c throws(ConfigError) in
            try self.console(c, partners: partnerIDs)
        } ?? ConsoleSettings()
        let kiosk = try top.optionalObject("kiosk").map { k throws(ConfigError) in try self.kiosk(k) } ?? KioskSettings()
        var health = HealthSettings()
        if let h = try top.optionalObject("health") {
            health.minimumFreeMegabytes = try h.int("minimumFreeMegabytes", in: 0...1_000_000, default: health.minimumFreeMegabytes)
            try h.finish()
        }
        var backups = BackupSettings()
        if let b = try top.optionalObject("backups") {
            backups.folder = try b.optionalString("folder", maxLength: 1000) ?? backups.folder
            backups.keep = try b.int("keep", in: 0...366, default: backups.keep)
            try b.finish()
        }
        var metrics = MetricsSettings()
        if let m = try top.optionalObject("metrics") {
            metrics.tokenFile = try m.optionalString("tokenFile", maxLength: 1000)
            if let file = metrics.tokenFile, !file.hasPrefix("/") { throw m.fail("tokenFile", "'\(file)' must be an absolute path") }
            try m.finish()
        }
        let network = try self.network(top)
        var notices: NoticeSettings?
        if let n = try top.optionalObject("notices") {
            var settings = NoticeSettings()
            if n.has("sendmail") {
                settings.sendmail = try n.strings("sendmail")
                guard let tool = settings.sendmail.first, tool.hasPrefix("/") else { throw n.fail("sendmail", "must start with the mail program's absolute path") }
            }
            settings.from = try n.optionalString("from", maxLength: 254)
            if let from = settings.from, (try? Usager(name: "x", email: from, reminderConsent: true).validate()) == nil {
                throw n.fail("from", "'\(from)' is not an e-mail address")
            }
            settings.reminderHours = try n.int("reminderHours", in: 1...336, default: settings.reminderHours)
            settings.maxAttempts = try n.int("maxAttempts", in: 1...50, default: settings.maxAttempts)
            settings.checkSeconds = try n.int("checkSeconds", in: 1...3600, default: settings.checkSeconds)
            if let s = try n.optionalObject("sms") { settings.sms = try sms(s) }
            try n.finish()
            notices = settings
        }
        let demo = try top.optionalObject("demo").map { d throws(ConfigError) in
            try self.demo(d, partners: partnerIDs, rooms: rooms, hours: hours)
        } ?? DemoData()
        try top.finish()

        let structure = Structure(
            id: id, name: name, address: address, timeZone: zone, email: email, phone: phone, label: label,
            openingHours: hours, partners: partners, lifeSituations: situations, rooms: rooms, stations: stations,
            visio: visio)
        var config = GuichetConfig(structure: structure, booking: booking, console: console, kiosk: kiosk, health: health, demo: demo)
        config.backups = backups
        config.metrics = metrics
        config.network = network
        config.notices = notices
        return config
    }

    func slug(_ r: ConfigReader, _ key: String) throws(ConfigError) -> String {
        let value = try r.string(key, maxLength: 64)
        guard value.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw r.fail(key, "'\(value)' must use only lowercase letters, digits and '-'")
        }
        return value
    }

    func openingHours(_ r: ConfigReader) throws(ConfigError) -> WeeklyHours {
        var days: [Weekday: [LocalTimeRange]] = [:]
        for day in Weekday.allCases {
            for (i, text) in try r.strings(day.key, required: false).enumerated() {
                guard let range = LocalTimeRange(iso: text) else {
                    throw ConfigError(file: file, key: "\(r.key(day.key))[\(i)]", message: "'\(text)' is not a range HH:MM-HH:MM with the start before the end")
                }
                days[day, default: []].append(range)
            }
        }
        try r.finish()
        do {
            return try WeeklyHours(days)
        } catch {
            throw r.fail(error.details["day"] ?? "", error.english)
        }
    }

    func partners(_ top: ConfigReader, label: StructureLabel) throws(ConfigError) -> [Partner] {
        var partners: [Partner] = []
        for p in try top.objects("partners") {
            let id = try slug(p, "id")
            guard !partners.contains(where: { $0.id == id }) else { throw p.fail("id", "duplicate partner id '\(id)'") }
            let bring = try p.strings("bring", required: false)
            guard bring.count <= 12, bring.allSatisfy({ !$0.isEmpty && $0.count <= 200 }) else {
                throw p.fail("bring", "at most 12 items of 1 to 200 characters")
            }
            let partner = Partner(
                id: id, name: try p.string("name", maxLength: 120), national: try p.bool("national", default: false),
                website: try url(p, "website"), bring: bring)
            try p.finish()
            partners.append(partner)
        }
        if label == .franceServices {
            let missing = Self.nationalPartners.filter { id in !partners.contains { $0.id == id && $0.national } }
            guard missing.isEmpty else {
                throw top.fail("partners", "a France Services structure offers the nine national partners; missing (or not marked national): \(missing.joined(separator: ", "))")
            }
        }
        return partners
    }

    func lifeSituations(_ top: ConfigReader, partners: Set<String>) throws(ConfigError) -> [LifeSituation] {
        var result: [LifeSituation] = []
        for l in try top.objects("lifeSituations") {
            let id = try slug(l, "id")
            guard !result.contains(where: { $0.id == id }) else { throw l.fail("id", "duplicate life situation id '\(id)'") }
            let title = try l.object("title")
            let fr = try title.string("fr", maxLength: 200)
            let en = try title.string("en", maxLength: 200)
            try title.finish()
            let ps = try l.strings("partners")
            if let unknown = ps.first(where: { !partners.contains($0) }) {
                throw l.fail("partners", "unknown partner '\(unknown)' (declare it under 'partners')")
            }
            var sites: [String] = []
            for (i, site) in try l.strings("websites").enumerated() {
                guard Self.isHTTPS(site) else {
                    throw ConfigError(file: file, key: "\(l.key("websites"))[\(i)]", message: "'\(site)' must be an https:// address")
                }
                sites.append(site)
            }
            let situation = LifeSituation(id: id, theme: try l.string("theme", maxLength: 120), titleFrench: fr, titleEnglish: en, partners: ps, websites: sites)
            try l.finish()
            result.append(situation)
        }
        return result
    }

    func rooms(_ top: ConfigReader) throws(ConfigError) -> [Room] {
        var rooms: [Room] = []
        for r in try top.objects("rooms") {
            let id = try slug(r, "id")
            guard !rooms.contains(where: { $0.id == id }) else { throw r.fail("id", "duplicate room id '\(id)'") }
            rooms.append(Room(id: id, name: try r.string("name", maxLength: 120), confidential: try r.bool("confidential", default: false)))
            try r.finish()
        }
        guard rooms.contains(where: \.confidential) else {
            throw top.fail("rooms", "at least one room must be the confidential space (\"confidential\": true); it is mandatory since 31 Dec 2022")
        }
        return rooms
    }

    func stations(_ top: ConfigReader, rooms: [Room]) throws(ConfigError) -> [Station] {
        var stations: [Station] = []
        for s in try top.objects("stations") {
            let id = try slug(s, "id")
            guard !stations.contains(where: { $0.id == id }) else { throw s.fail("id", "duplicate station id '\(id)'") }
            let room = try s.string("room")
            guard let placed = rooms.first(where: { $0.id == room }) else { throw s.fail("room", "unknown room '\(room)'") }
            let visio = try s.bool("visio", default: false)
            if visio && !placed.confidential {
                throw s.fail("visio", "the visio device belongs in the confidential space; room '\(room)' is not confidential")
            }
            stations.append(Station(id: id, name: try s.string("name", maxLength: 120), room: room, selfService: try s.bool("selfService", default: false), visio: visio))
            try s.finish()
        }
        guard stations.contains(where: \.visio) else {
            throw top.fail("stations", "one station must carry the visioconference device (\"visio\": true)")
        }
        return stations
    }

    func visio(_ v: ConfigReader) throws(ConfigError) -> VisioSettings {
        let settings = VisioSettings(
            slotMinutes: try v.int("slotMinutes", in: 10...180),
            stunServers: try uris(v, "stunServers", scheme: "stun:"),
            turnServers: try uris(v, "turnServers", scheme: "turn"),
            joinEarlyMinutes: try v.int("joinEarlyMinutes", in: 0...60, default: 10),
            turnSecret: try v.optionalString("turnSecret", maxLength: 256),
            codec: try codec(v))
        if let secret = settings.turnSecret, secret.count < 16 { throw v.fail("turnSecret", "must be at least 16 characters (coturn's static-auth-secret)") }
        if !settings.turnServers.isEmpty, settings.turnSecret == nil { throw v.fail("turnSecret", "is required with turnServers: credentials are derived from it for each call") }
        try v.finish()
        return settings
    }

    func codec(_ v: ConfigReader) throws(ConfigError) -> VideoCodecChoice {
        let text = try v.optionalString("codec", maxLength: 10) ?? "auto"
        guard let codec = VideoCodecChoice(rawValue: text) else { throw v.fail("codec", "must be \"auto\", \"vp8\" or \"h264\", not '\(text)'") }
        return codec
    }

    func uris(_ r: ConfigReader, _ key: String, scheme: String) throws(ConfigError) -> [String] {
        let values = try r.strings(key, required: false)
        for (i, value) in values.enumerated() where !value.hasPrefix(scheme) {
            throw ConfigError(file: file, key: "\(r.key(key))[\(i)]", message: "'\(value)' must start with '\(scheme)'")
        }
        return values
    }

    func url(_ r: ConfigReader, _ key: String) throws(ConfigError) -> String {
        let value = try r.string(key)
        guard Self.isHTTPS(value) else { throw r.fail(key, "'\(value)' must be an https:// address") }
        return value
    }

    static func isHTTPS(_ value: String) -> Bool {
        guard value.hasPrefix("https://"), let url = URL(string: value), let host = url.host, host.contains(".") else { return false }
        return true
    }

    func console(_ c: ConfigReader, partners: Set<String>) throws(ConfigError) -> ConsoleSettings {
        var settings = ConsoleSettings()
        settings.sessionHours = try c.int("sessionHours", in: 1...24, default: settings.sessionHours)
        settings.passwordCost = try c.int("passwordCost", in: 10...16, default: settings.passwordCost)
        if let r = try c.optionalObject("retentionDays") {
            settings.retention = .init(
                bookings: try r.int("bookings", in: 0...3650, default: settings.retention.bookings),
                contactNotes: try r.int("contactNotes", in: 0...3650, default: settings.retention.contactNotes),
                referrals: try r.int("referrals", in: 0...3650, default: settings.retention.referrals),
                mandates: try r.int("mandates", in: 0...3650, default: settings.retention.mandates),
                messages: try r.int("messages", in: 0...3650, default: settings.retention.messages))
            try r.finish()
        }
        var seen = Set<String>()
        for r in try c.objects("referents", required: false) {
            let id = try slug(r, "id")
            guard seen.insert(id).inserted else { throw r.fail("id", "duplicate referent id '\(id)'") }
            let partner = try r.string("partner")
            guard partners.contains(partner) else { throw r.fail("partner", "unknown partner '\(partner)'") }
            let email = try r.string("email", maxLength: 254)
            guard email.split(separator: "@").count == 2, !email.contains(" ") else { throw r.fail("email", "'\(email)' is not an e-mail address") }
            settings.referents.append(.init(id: id, partner: partner, name: try r.string("name", maxLength: 120), email: email))
            try r.finish()
        }
        try c.finish()
        return settings
    }

    func sms(_ s: ConfigReader) throws(ConfigError) -> SMSSettings {
        let url = try s.string("url", maxLength: 500)
        let local = url.hasPrefix("http://127.0.0.1:") || url.hasPrefix("http://localhost:")
        guard Self.isHTTPS(url) || local else { throw s.fail("url", "'\(url)' must be an https:// address (the secret travels with it)") }
        func text(_ value: String, _ key: String) throws(ConfigError) -> String {
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { throw s.fail(key, "must not hold control characters") }
            return value
        }
        guard let fieldsReader = try s.optionalObject("fields") else { throw s.fail("fields", "is required: the request's fields, with {phone} and {text}") }
        var fields: [String: String] = [:]
        for key in fieldsReader.keys { fields[key] = try text(try fieldsReader.string(key, maxLength: 500), "fields.\(key)") }
        try fieldsReader.finish()
        guard fields.values.contains(where: { $0.contains("{phone}") }), fields.values.contains(where: { $0.contains("{text}") }) else {
            throw s.fail("fields", "must place {phone} and {text}")
        }
        var settings = SMSSettings(url: try text(url, "url"), fields: fields)
        settings.method = try s.optionalString("method", maxLength: 10) ?? settings.method
        guard ["POST", "PUT"].contains(settings.method) else { throw s.fail("method", "must be POST or PUT") }
        if let headers = try s.optionalObject("headers") {
            for name in headers.keys {
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { throw headers.fail(name, "is not a header name") }
                settings.headers[name] = try text(try headers.string(name, maxLength: 1000), "headers.\(name)")
            }
            try headers.finish()
        }
        settings.secretFile = try s.optionalString("secretFile", maxLength: 1000)
        if let file = settings.secretFile, !file.hasPrefix("/") { throw s.fail("secretFile", "'\(file)' must be an absolute path") }
        if let format = try s.optionalString("format", maxLength: 10) {
            guard let f = SMSSettings.Format(rawValue: format) else { throw s.fail("format", "must be json or form") }
            settings.format = f
        }
        try s.finish()
        return settings
    }

    static let kioskLanguages = KioskSettings.allLanguages

    /// `database`: "sqlite" (the default) or the network's `postgres://` URL, without a
    /// password (`databasePasswordFile` holds it). The URL's own syntax is checked when the
    /// daemon starts, by the PostgreSQL client that reads it.
    func network(_ top: ConfigReader) throws(ConfigError) -> NetworkSettings? {
        let passwordFile = try top.optionalString("databasePasswordFile", maxLength: 1000)
        if let passwordFile, !passwordFile.hasPrefix("/") { throw top.fail("databasePasswordFile", "'\(passwordFile)' must be an absolute path") }
        guard let url = try top.optionalString("database", maxLength: 2000), url != "sqlite" else {
            if passwordFile != nil { throw top.fail("databasePasswordFile", "goes with a postgres:// database") }
            return nil
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw top.fail("database", "must be \"sqlite\" or a postgres:// URL (found '\(url.prefix(20))')")
        }
        if let components = URLComponents(string: url), components.password != nil {
            throw top.fail("database", "the URL carries a password, and the configuration is handed to the stations: put it in databasePasswordFile")
        }
        return NetworkSettings(url: url, passwordFile: passwordFile)
    }

    func kiosk(_ k: ConfigReader) throws(ConfigError) -> KioskSettings {
        var settings = KioskSettings()
        settings.inactivitySeconds = try k.int("inactivitySeconds", in: 30...3600, default: settings.inactivitySeconds)
        settings.warningSeconds = try k.int("warningSeconds", in: 20...600, default: settings.warningSeconds)
        settings.pageCap = try k.int("pageCap", in: 0...500, default: settings.pageCap)
        settings.cupsServer = try k.optionalString("cupsServer", maxLength: 200)
        if let server = settings.cupsServer {
            guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]), (1...65535).contains(port) else {
                throw k.fail("cupsServer", "'\(server)' must be host:port")
            }
        }
        settings.printerQueue = try k.optionalString("printerQueue", maxLength: 127)
        settings.scanner = try k.optionalString("scanner", maxLength: 200)
        if let options = try k.optionalObject("scannerOptions") {
            for key in options.keys {
                guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { throw options.fail(key, "is not a SANE option name") }
                settings.scannerOptions[key] = try options.string(key, maxLength: 200)
            }
        }
        if k.has("extraSites") {
            settings.extraSites = try k.strings("extraSites")
            for site in settings.extraSites where !Self.isHTTPS(site) {
                throw k.fail("extraSites", "'\(site)' must be an https:// address")
            }
        }
        if k.has("languages") {
            let languages = try k.strings("languages")
            guard !languages.isEmpty, Set(languages).count == languages.count, languages.allSatisfy(Self.kioskLanguages.contains) else {
                throw k.fail("languages", "must list distinct languages among \(Self.kioskLanguages.joined(separator: ", "))")
            }
            settings.languages = languages
        }
        try k.finish()
        return settings
    }

    func demo(_ d: ConfigReader, partners: Set<String>, rooms: [Room], hours: WeeklyHours) throws(ConfigError) -> DemoData {
        var demo = DemoData()
        for s in try d.objects("specialists", required: false) {
            let partner = try s.string("partner")
            guard partners.contains(partner) else { throw s.fail("partner", "unknown partner '\(partner)'") }
            demo.specialists.append(.init(id: try slug(s, "id"), partner: partner, displayName: try s.string("displayName", maxLength: 120)))
            try s.finish()
        }
        let specialistIDs = Set(demo.specialists.map(\.id))
        for p in try d.objects("permanences", required: false) {
            let specialist = try p.string("specialist")
            guard specialistIDs.contains(specialist) else { throw p.fail("specialist", "unknown demo specialist '\(specialist)'") }
            let room = try p.string("room")
            guard rooms.contains(where: { $0.id == room }) else { throw p.fail("room", "unknown room '\(room)'") }
            let recurrence = try self.recurrence(p.object("recurrence"))
            let range = try self.range(p, "hours")
            guard hours.covers(range, on: recurrence.weekday) else {
                throw p.fail("hours", "\(range) on \(recurrence.weekday.key) is outside opening hours")
            }
            demo.permanences.append(.init(specialist: specialist, room: room, recurrence: recurrence, hours: range))
            try p.finish()
        }
        for v in try d.objects("visioSlots", required: false) {
            let specialist = try v.string("specialist")
            guard specialistIDs.contains(specialist) else { throw v.fail("specialist", "unknown demo specialist '\(specialist)'") }
            let dayName = try v.string("weekday")
            guard let day = Weekday(key: dayName) else { throw v.fail("weekday", "'\(dayName)' is not a weekday (monday…sunday)") }
            let range = try self.range(v, "hours")
            guard hours.covers(range, on: day) else { throw v.fail("hours", "\(range) on \(day.key) is outside opening hours") }
            demo.visioSlots.append(.init(specialist: specialist, weekday: day, hours: range, weeks: try v.int("weeks", in: 1...26, default: 4)))
            try v.finish()
        }
        try d.finish()
        return demo
    }

    func range(_ r: ConfigReader, _ key: String) throws(ConfigError) -> LocalTimeRange {
        let text = try r.string(key)
        guard let range = LocalTimeRange(iso: text) else { throw r.fail(key, "'\(text)' is not a range HH:MM-HH:MM with the start before the end") }
        return range
    }

    func recurrence(_ r: ConfigReader) throws(ConfigError) -> Recurrence {
        let dayName = try r.string("weekday")
        guard let day = Weekday(key: dayName) else { throw r.fail("weekday", "'\(dayName)' is not a weekday (monday…sunday)") }
        let frequency = try r.string("frequency")
        let recurrence: Recurrence
        switch frequency {
        case "weekly": recurrence = .weekly(interval: try r.int("interval", in: 1...8, default: 1), weekday: day)
        case "monthly": recurrence = .monthly(ordinal: try r.int("ordinal", in: -1...4), weekday: day)
        default: throw r.fail("frequency", "must be 'weekly' or 'monthly', found '\(frequency)'")
        }
        do { try recurrence.validate() } catch { throw r.failHere(error.english) }
        try r.finish()
        return recurrence
    }
}
