import Foundation
import Station
import Testing

struct KioskMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func machine() -> KioskMachine {
        KioskMachine(timings: KioskTimings(inactivity: 300, warning: 60), makeID: { "s-1" })
    }

    @Test func aSessionRunsFromIdleThroughWipingBackToIdle() throws {
        var m = machine()
        #expect(try m.handle(.start, now: t0) == [.openSession("s-1")])
        #expect(try m.handle(.end(.button), now: t0.addingTimeInterval(60)) == [.hideWarning, .closeBrowser(session: "s-1")])
        #expect(m.state == .ending(session: "s-1", reason: .button))
        #expect(try m.handle(.browserClosed, now: t0.addingTimeInterval(61)) == [.wipe(session: "s-1", reason: .button)])
        #expect(try m.handle(.wipeSucceeded, now: t0.addingTimeInterval(62)) == [.ready])
        #expect(m.state == .idle)
    }

    @Test func inactivityWarnsThenEndsUnlessExtended() throws {
        var m = machine()
        try m.handle(.start, now: t0)
        #expect(try m.handle(.tick, now: t0.addingTimeInterval(299)) == [])
        #expect(try m.handle(.tick, now: t0.addingTimeInterval(300)) == [.showWarning(deadline: t0.addingTimeInterval(360))])
        #expect(try m.handle(.extend, now: t0.addingTimeInterval(330)) == [.hideWarning])
        #expect(m.state == .inUse(session: "s-1", lastActivity: t0.addingTimeInterval(330)))
        try m.handle(.tick, now: t0.addingTimeInterval(630))
        #expect(try m.handle(.tick, now: t0.addingTimeInterval(689)) == [])
        #expect(try m.handle(.tick, now: t0.addingTimeInterval(690)) == [.hideWarning, .closeBrowser(session: "s-1")])
        #expect(m.state == .ending(session: "s-1", reason: .inactivity))
    }

    @Test func theWarningNeverLastsLessThanTwentySeconds() {
        #expect(KioskTimings(inactivity: 60, warning: 5).warning == 20)
    }

    @Test func aFailedWipeKeepsTheStationOutOfServiceUntilAnAgentResetsIt() throws {
        var m = machine()
        try m.handle(.start, now: t0)
        try m.handle(.end(.button), now: t0)
        try m.handle(.browserClosed, now: t0)
        let effects = try m.handle(.wipeFailed("dossier non supprimé"), now: t0)
        #expect(m.state == .outOfService(reason: "dossier non supprimé"))
        #expect(effects.count == 1)
        #expect(throws: KioskTransitionError.self) { try m.handle(.start, now: t0) }
        #expect(try m.handle(.recover(unfinishedSession: nil), now: t0) == [])
        #expect(try m.handle(.reset, now: t0) == [.ready])
        #expect(try m.handle(.start, now: t0) == [.openSession("s-1")])
    }

    @Test func aRestartWipesTheUnfinishedSession() throws {
        var m = machine()
        #expect(try m.handle(.recover(unfinishedSession: "s-0"), now: t0) == [.wipe(session: "s-0", reason: .restart)])
        #expect(m.state == .wiping(session: "s-0"))
    }

    @Test func impossibleEventsAreRefusedAndChangeNothing() throws {
        var m = machine()
        #expect(throws: KioskTransitionError.self) { try m.handle(.end(.button), now: t0) }
        #expect(throws: KioskTransitionError.self) { try m.handle(.wipeSucceeded, now: t0) }
        #expect(m.state == .idle)
        try m.handle(.start, now: t0)
        #expect(throws: KioskTransitionError.self) { try m.handle(.start, now: t0) }
        #expect(m.state.session == "s-1")
    }
}
