import Agenda
import Foundation
import Media
import OfficeKit
import Store
import Synchronization
import Testing
import Visio

/// A fake room engine (no pipeline: these tests are about the calls' bookkeeping; the real
/// media are exercised by the integration tests): it counts the peers it was asked for and
/// what each was told, and lets a test speak for the last one.
final class CountingRoomEngine: RoomEngine {
    final class Peer: RoomPeer {
        let onEvent: @Sendable (MediaEvent) -> Void
        let told = Mutex<[String]>([])
        init(onEvent: @escaping @Sendable (MediaEvent) -> Void) { self.onEvent = onEvent }
        private func note(_ what: String) { told.withLock { $0.append(what) } }
        func start(offerer: Bool) throws { note("start") }
        func prepare() throws { note("prepare") }
        func release() { note("release") }
        func createOffer() { note("createOffer") }
        func setRemoteDescription(_ sdp: String, isAnswer: Bool) throws {}
        func addCandidate(mline: UInt32, _ candidate: String) throws {}
        func stop(reason: String?) { note("stop") }
        var videoFrames: Int64 { 0 }
        var audioBuffers: Int64 { 0 }
        func stampLatencies() -> [Double] { [] }
    }

    let preparesMedia: Bool
    let made = Mutex(0)
    let peers = Mutex<[Peer]>([])

    init(preparesMedia: Bool = false) { self.preparesMedia = preparesMedia }

    func makePeer(call: String, station: String, settings: MediaSettings, onEvent: @escaping @Sendable (MediaEvent) -> Void) throws -> any RoomPeer {
        made.withLock { $0 += 1 }
        let peer = Peer(onEvent: onEvent)
        peers.withLock { $0.append(peer) }
        return peer
    }

    var last: Peer? { peers.withLock { $0.last } }
}

/// What one page's socket was sent, and whether it was closed.
final class PageSocket: Sendable {
    let id = UUID()
    private let state = Mutex<(sent: [OutgoingSignal], closed: Bool)>(([], false))
    var sent: [OutgoingSignal] { state.withLock { $0.sent } }
    var closed: Bool { state.withLock { $0.closed } }

    func connect(_ calls: VisioCalls, _ booking: Booking) async {
        await calls.connected(booking, connection: id, send: { message in self.state.withLock { $0.sent.append(message) } },
                              close: { self.state.withLock { $0.closed = true } })
    }
}

struct VisioCallsTests {
    private func visioBooking(_ office: Office, clock: TestClock) async throws -> Booking {
        let today = LocalDate(year: 2026, month: 11, day: 25)!
        let slots = try await office.database.availability(
            Availability.Query(from: today, to: today.adding(days: 14), slotMinutes: 30, kinds: [.visio]), structure: office.structure, now: clock.now)
        let slot = try #require(slots.first)
        return try await office.database.createBooking(
            BookingRequest(kind: .visio, visioSlot: slot.visioSlot, span: slot.span, usager: Usager(name: "Usager")),
            structure: office.structure, now: clock.now)
    }

    /// The specialist's connection drops; the usager hangs up meanwhile: the page that comes
    /// back is told the room hung up (and closed), not put in the waiting room of a call that is over.
    @Test func aPageThatComesBackAfterTheRoomHungUpIsToldSo() async throws {
        let clock = TestClock(Timestamp.parse("2026-11-25T10:00:00+01:00")!)
        let office = try await makeOffice(clock: clock)
        let booking = try await visioBooking(office, clock: clock)
        let engine = CountingRoomEngine()
        let calls = VisioCalls(database: office.database, media: MediaSettings(), ice: IceConfiguration(stunServers: [], turnServers: [], turnSecret: nil),
                               engine: engine, clock: { clock.now })
        let first = PageSocket()
        await first.connect(calls, booking)
        try await calls.admit(booking.id)
        #expect(engine.made.withLock { $0 } == 1)
        await calls.disconnected(booking.id, connection: first.id)
        await calls.hangUp(booking.id)
        #expect(await calls.presences().isEmpty)

        let back = PageSocket()
        await back.connect(calls, booking)
        #expect(back.sent == [.leave] && back.closed)
        #expect(await calls.presences().isEmpty)
        // Once told, the link opens the waiting room again (a new call the agent may admit).
        let later = PageSocket()
        await later.connect(calls, booking)
        #expect(later.sent == [.waiting] && !later.closed)
    }

    /// Only within the reconnection grace: a page back later finds the waiting room; and a call
    /// whose page was connected when it ended leaves nothing behind (the page was told then).
    @Test func theMemoryOfAnEndedCallLastsTheGraceAndOnlyForAPageThatWasAway() async throws {
        let clock = TestClock(Timestamp.parse("2026-11-25T10:00:00+01:00")!)
        let office = try await makeOffice(clock: clock)
        let booking = try await visioBooking(office, clock: clock)
        let calls = VisioCalls(database: office.database, media: MediaSettings(), ice: IceConfiguration(stunServers: [], turnServers: [], turnSecret: nil),
                               engine: CountingRoomEngine(), clock: { clock.now })
        let first = PageSocket()
        await first.connect(calls, booking)
        try await calls.admit(booking.id)
        await calls.disconnected(booking.id, connection: first.id)
        await calls.hangUp(booking.id)
        clock.advance(CallMachine.reconnectGrace + 1)
        let late = PageSocket()
        await late.connect(calls, booking)
        #expect(late.sent == [.waiting] && !late.closed)

        try await calls.admit(booking.id)
        await calls.hangUp(booking.id)
        #expect(late.sent.last == .leave && late.closed)
        let next = PageSocket()
        await next.connect(calls, booking)
        #expect(next.sent == [.waiting])
    }

    /// The room's media start at the specialist's join, held; the admission releases them and
    /// offers at once, without a second pipeline. An engine that cannot prepare starts at admission.
    @Test func aWaitingSpecialistsMediaArePreparedAndTheAdmissionOffersAtOnce() async throws {
        let clock = TestClock(Timestamp.parse("2026-11-25T10:00:00+01:00")!)
        let office = try await makeOffice(clock: clock)
        let booking = try await visioBooking(office, clock: clock)
        let ice = IceConfiguration(stunServers: [], turnServers: [], turnSecret: nil)
        let engine = CountingRoomEngine(preparesMedia: true)
        let calls = VisioCalls(database: office.database, media: MediaSettings(), ice: ice, engine: engine, clock: { clock.now })
        // A specialist who joins early: nothing starts while the room may hold the previous
        // appointment, then the media are prepared two minutes before the slot.
        clock.advance(booking.span.start.timeIntervalSince(clock.now) - 120.3)
        let early = PageSocket()
        await early.connect(calls, booking)
        await calls.received(booking.id, connection: early.id, #"{"type": "join"}"#)
        #expect(engine.made.withLock { $0 } == 0)
        try await until { engine.made.withLock { $0 } == 1 }
        #expect(engine.last?.told.withLock { $0 } == ["prepare"])
        await calls.disconnected(booking.id, connection: early.id)
        #expect(engine.last?.told.withLock { $0 } == ["prepare", "stop"])
        engine.made.withLock { $0 = 0 }
        clock.advance(1)

        let page = PageSocket()
        await page.connect(calls, booking)
        #expect(engine.made.withLock { $0 } == 0)
        await calls.received(booking.id, connection: page.id, #"{"type": "join"}"#)
        let peer = try #require(engine.last)
        #expect(peer.told.withLock { $0 } == ["prepare"] && page.sent == [.waiting, .waiting])
        #expect(await calls.presences().first?.mediaReady == false)
        peer.onEvent(.negotiationNeeded)
        try await until { await calls.presences().first?.mediaReady == true }
        #expect(page.sent == [.waiting, .waiting])
        try await calls.admit(booking.id)
        #expect(engine.made.withLock { $0 } == 1 && peer.told.withLock { $0 } == ["prepare", "release", "createOffer"])
        #expect(page.sent.last == .admitted(iceServers: []))
        #expect(await calls.presences().first?.mediaReady == false)
        await calls.hangUp(booking.id)
        #expect(peer.told.withLock { $0 }.last == "stop")

        // Leaving the waiting room stops them.
        let again = PageSocket()
        await again.connect(calls, booking)
        await calls.received(booking.id, connection: again.id, #"{"type": "join"}"#)
        let waiting = try #require(engine.last)
        await calls.disconnected(booking.id, connection: again.id)
        #expect(waiting.told.withLock { $0 } == ["prepare", "stop"])

        let plain = CountingRoomEngine()
        let atAdmission = VisioCalls(database: office.database, media: MediaSettings(), ice: ice, engine: plain, clock: { clock.now })
        let other = PageSocket()
        await other.connect(atAdmission, booking)
        await atAdmission.received(booking.id, connection: other.id, #"{"type": "join"}"#)
        #expect(plain.made.withLock { $0 } == 0)
        try await atAdmission.admit(booking.id)
        #expect(plain.last?.told.withLock { $0 } == ["start"])
    }

    private func until(_ condition: () async -> Bool) async throws {
        for _ in 0..<200 where !(await condition()) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await condition())
    }
}
