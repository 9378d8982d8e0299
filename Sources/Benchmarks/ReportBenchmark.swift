import Agenda
import Foundation
import Reports
import Store
import StructureConfig
import OfficeKit

#if canImport(Glibc)
import Glibc
#endif

/// The quarterly report of a busy structure: ~10,000 visits, ~3,000 bookings, ~6,000
/// station sessions in one quarter. Prints generation time (reading the stored data and
/// computing) p50/p99, the rendering of CSV and HTML, and the process's peak memory.
public struct ReportBenchmark: Sendable {
    let configPath: String
    let contacts: Int
    let bookings: Int
    let sessions: Int
    let runs: Int

    public init(configPath: String, contacts: Int = 10_000, bookings: Int = 3_000, sessions: Int = 6_000, runs: Int = 50) {
        self.configPath = configPath
        self.contacts = contacts
        self.bookings = bookings
        self.sessions = sessions
        self.runs = runs
    }

    public func run() async throws {
        let config = try GuichetConfig.load(path: configPath)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-report-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let zone = config.structure.timeZone
        let period = ReportPeriod(year: 2026, quarter: 3)
        let before = zone.instant(period.first, LocalTime.midnight).addingTimeInterval(-86_400)
        let database = try AppDatabase.open(path: folder.appendingPathComponent("report.sqlite").path)
        let office = Office(config: config, database: database, clock: { before })
        print("Guichet report benchmark — \(config.structure.name), \(period.label)")
        let rssBaseline = Self.peakResidentMB()

        let seeded = try await seed(database: database, structure: config.structure, period: period, now: before)
        print("Seeded \(seeded.contacts) visits, \(seeded.bookings) bookings, \(seeded.sessions) station sessions, \(seeded.referrals) referrals, \(seeded.answers) satisfaction answers.\n")

        var generation: [Double] = []
        var compute: [Double] = []
        var render: [Double] = []
        var report: Report?
        for i in 0..<(runs + 5) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try await office.report(period)
            let t1 = DispatchTime.now().uptimeNanoseconds
            _ = r.tables.map { CSVWriter.csv($0) }
            _ = HTMLReport.render(r)
            let t2 = DispatchTime.now().uptimeNanoseconds
            if i >= 5 {  // the first runs warm caches
                generation.append(Double(t1 - t0) / 1e9)
                render.append(Double(t2 - t1) / 1e9)
            }
            report = r
        }
        // Computing alone, on data already in memory: what the store's reading costs by difference.
        let activity = try await database.activity(in: period.span(in: zone))
        let data = ReportData(
            period: period, structure: config.structure, contacts: activity.contacts, bookings: activity.bookings, stationUses: activity.uses,
            referrals: activity.referrals, satisfaction: activity.satisfaction, messages: activity.messages, closures: activity.closures)
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = ActivityReport.compute(data, generatedAt: before)
            compute.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let p = AgendaBenchmark.percentile
        func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
        print("Quarter report generation (read from SQLite + compute), \(runs) runs:")
        print("  p50 \(ms(p(generation, 0.5)))  p99 \(ms(p(generation, 0.99)))  (goal: < 200 ms)")
        print("Compute only (data already in memory):")
        print("  p50 \(ms(p(compute, 0.5)))  p99 \(ms(p(compute, 0.99)))  → reading is \(String(format: "%.0f", 100 * (1 - p(compute, 0.5) / p(generation, 0.5))))% of generation")
        print("Rendering all CSV files and the HTML page:")
        print("  p50 \(ms(p(render, 0.5)))  p99 \(ms(p(render, 0.99)))")
        print("Peak resident memory of the process: \(Self.peakResidentMB()) MB (\(rssBaseline) MB before seeding)")
        print("Check: \(report?.table("synthese")?.value("visites", "valeur") ?? "?") visits counted in the report.")
    }

    /// Peak resident set size so far, from getrusage (kilobytes on Linux).
    static func peakResidentMB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    public struct Seeded: Sendable { var contacts = 0, bookings = 0, sessions = 0, referrals = 0, answers = 0 }

    /// Deterministic data spread over the quarter's opening hours.
    public func seed(database: AppDatabase, structure: Structure, period: ReportPeriod, now: Date) async throws -> Seeded {
        var seeded = Seeded()
        var generator = SplitMix(seed: 2026)
        let zone = structure.timeZone
        // Days the structure is open: its weekly hours, public holidays excluded.
        let openDays = period.days.filter { !OpeningCalendar(initial: structure.openingHours).ranges(on: $0).isEmpty }
        let partners = structure.partners.map(\.id)
        let situations = structure.lifeSituations.map(\.id)
        func instant(on day: LocalDate) -> Date {
            let ranges = structure.openingHours.ranges(on: day.weekday)
            let range = ranges[Int(generator.next() % UInt64(ranges.count))]
            let minute = range.start.minutes + Int(generator.next() % UInt64(range.end.minutes - range.start.minutes))
            return zone.instant(day, LocalTime(clampingMinutes: minute))
        }
        for i in 0..<contacts {
            let day = openDays[i % openDays.count]
            let input = ContactInput(
                partners: [partners[Int(generator.next() % UInt64(partners.count))]], lifeSituation: i % 3 == 0 ? nil : situations[i % situations.count],
                reason: "Démarche \(i % 40)", channel: ContactChannel.allCases[i % 3], accompanied: i % 4 == 0, outcome: ContactOutcome.allCases[i % 3],
                note: nil)
            _ = try await database.recordContact(input, agent: "bench", structure: structure, now: instant(on: day))
            seeded.contacts += 1
        }
        for i in 0..<sessions {
            let start = instant(on: openDays[i % openDays.count])
            try await database.recordStationUse(StationUse(
                id: "s-\(i)", station: "poste-\(i % 2 + 1)", start: start, end: start.addingTimeInterval(1200), lifeSituations: [situations[i % situations.count]],
                partnerSites: [partners[i % partners.count]], pagesPrinted: i % 5, pagesScanned: i % 3, helpRequested: i % 7 == 0, accompanied: i % 4 == 0))
            seeded.sessions += 1
            if i % 3 == 0 {
                try await database.recordSatisfaction(SatisfactionAnswer(at: start.addingTimeInterval(1200), score: 1 + i % 5, source: "station"))
                seeded.answers += 1
            }
        }
        // Room bookings, 15 minutes each, one after the other in every room.
        let rooms = structure.rooms.map(\.id)
        outer: for day in openDays {
            for range in structure.openingHours.ranges(on: day.weekday) {
                var minute = range.start.minutes
                while minute + 15 <= range.end.minutes {
                    for room in rooms {
                        guard seeded.bookings < bookings else { break outer }
                        let span = TimeSpan(zone.instant(day, LocalTime(clampingMinutes: minute)), zone.instant(day, LocalTime(clampingMinutes: minute + 15)))
                        let booking = try await database.createBooking(
                            BookingRequest(kind: .room, room: room, span: span, usager: Usager(name: "Usager")), structure: structure, now: now)
                        let event: BookingEvent = seeded.bookings % 5 == 0 ? .cancel : .noShow
                        _ = try await database.applyBookingEvent(id: booking.id, event, now: event == .cancel ? now : span.start.addingTimeInterval(60))
                        seeded.bookings += 1
                    }
                    minute += 15
                }
            }
        }
        for i in 0..<300 {
            let sent = instant(on: openDays[i % openDays.count])
            let r = try await database.sendReferral(
                partner: partners[i % partners.count], referent: "ref", subject: "Dossier \(i)", usagerName: nil, agent: "bench", structure: structure, now: sent)
            if i % 4 != 0 { _ = try await database.answerReferral(id: r.id, answer: "Réponse", now: sent.addingTimeInterval(Double(i % 5) * 86_400)) }
            seeded.referrals += 1
        }
        return seeded
    }
}

/// A small deterministic generator, so every run seeds the same quarter.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
