import Foundation
import Testing
import Visio

/// The call's rules without GStreamer or a socket: every phase and what it asks for.
struct CallMachineTests {
    let first = UUID(), second = UUID()
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test func aSpecialistWaitsIsAdmittedOffersAndConnects() {
        var (call, actions) = CallMachine.start(connection: first)
        #expect(actions == [.send(.waiting)] && call.phase == .waiting)
        #expect(call.handle(.received(.join()), now: t0) == [.send(.waiting), .prepareMedia])
        #expect(call.handle(.received(.join()), now: t0) == [.send(.waiting)])
        // Before admission the specialist cannot push media.
        #expect(call.handle(.received(.answer(sdp: "v=0")), now: t0) == [.send(.refusal(.notNow("no offer yet")))])
        #expect(call.handle(.received(.chat("bonjour")), now: t0) == [.send(.refusal(.notNow("not admitted")))])
        #expect(call.handle(.admitted, now: t0) == [.usePreparedMedia(offerNow: false), .recordStart])
        #expect(!call.mediaPrepared)
        #expect(call.phase == .admitted && call.admitted)
        #expect(call.handle(.admitted, now: t0) == [])
        #expect(call.handle(.received(.join()), now: t0) == [.sendAdmitted])
        #expect(call.handle(.media(.negotiationNeeded), now: t0) == [.createOffer])
        #expect(call.handle(.media(.localDescription(sdp: "v=0 offer")), now: t0) == [.send(.offer(sdp: "v=0 offer"))])
        #expect(call.phase == .offering)
        #expect(call.handle(.received(.answer(sdp: "v=0 answer")), now: t0) == [.applyAnswer(sdp: "v=0 answer")])
        #expect(call.handle(.received(.candidate(mline: 0, candidate: "candidate:1")), now: t0) == [.addCandidate(mline: 0, candidate: "candidate:1")])
        #expect(call.handle(.media(.candidate(mline: 1, candidate: "candidate:2")), now: t0) == [.send(.candidate(mline: 1, candidate: "candidate:2"))])
        _ = call.handle(.media(.remoteMedia(kind: "video")), now: t0)
        #expect(call.phase == .connected && call.remoteMedia == ["video"])
        _ = call.handle(.received(.chat("https://www.caf.fr")), now: t0)
        #expect(call.messages == ["https://www.caf.fr"])
        #expect(call.handle(.received(.leave), now: t0) == [.stopMedia, .closeConnection, .recordEnd(outcome: "specialist-hung-up")])
        #expect(call.phase == .ended(outcome: "specialist-hung-up") && call.isEnded)
        // An ended call does nothing more.
        #expect(call.handle(.received(.join()), now: t0) == [])
    }

    /// The room's camera and encoders start while the specialist waits; nothing is offered
    /// before the agent admits, and then at once.
    @Test func mediaPreparedInTheWaitingRoomOfferOnlyAtAdmission() {
        var (call, _) = CallMachine.start(connection: first)
        // Not before the page's join (its codecs choose the room's).
        #expect(call.handle(.media(.negotiationNeeded), now: t0) == [] && !call.offerHeld)
        #expect(call.handle(.received(.join(codecs: ["H264", "VP8"])), now: t0) == [.send(.waiting), .prepareMedia])
        #expect(call.mediaPrepared && call.phase == .waiting)
        // The prepared media ask to negotiate: held, nothing leaves.
        #expect(call.handle(.media(.negotiationNeeded), now: t0) == [])
        #expect(call.offerHeld)
        #expect(call.handle(.media(.candidate(mline: 0, candidate: "candidate:1")), now: t0) == [])
        #expect(call.handle(.admitted, now: t0) == [.usePreparedMedia(offerNow: true), .recordStart])
        #expect(!call.mediaPrepared && !call.offerHeld && call.phase == .admitted)
        #expect(call.handle(.media(.localDescription(sdp: "v=0 offer")), now: t0) == [.send(.offer(sdp: "v=0 offer"))])

        // Prepared media that fail cost the waiting specialist nothing: dropped, and admission starts afresh.
        (call, _) = CallMachine.start(connection: first)
        _ = call.handle(.received(.join()), now: t0)
        _ = call.handle(.media(.negotiationNeeded), now: t0)
        #expect(call.handle(.media(.ended(why: "camera unplugged")), now: t0) == [.stopMedia])
        #expect(call.phase == .waiting && !call.mediaPrepared && !call.offerHeld)
        #expect(call.handle(.received(.join()), now: t0) == [.send(.waiting), .prepareMedia])
        #expect(call.handle(.media(.failedToStart), now: t0) == [.stopMedia] && call.phase == .waiting)
        #expect(call.handle(.admitted, now: t0) == [.startMedia, .recordStart])

        // Leaving the waiting room stops the prepared media.
        (call, _) = CallMachine.start(connection: first)
        _ = call.handle(.received(.join()), now: t0)
        #expect(call.handle(.disconnected(first), now: t0) == [.stopMedia, .closeConnection, .recordEnd(outcome: "specialist-left")])
        #expect(!call.mediaPrepared)
    }

    @Test func aChangeOfShapeRestartsRunningMediaOnlyWithAFreshOffer() {
        var (call, _) = CallMachine.start(connection: first)
        // Waiting: nothing runs, nothing restarts (the media start with the new shape at admission).
        #expect(call.handle(.mediaChanged, now: t0) == [])
        _ = call.handle(.admitted, now: t0)
        _ = call.handle(.media(.remoteMedia(kind: "video")), now: t0)
        #expect(call.handle(.mediaChanged, now: t0) == [.stopMedia, .startMedia])
        #expect(call.phase == .admitted && call.remoteMedia.isEmpty && call.admitted)
        // Lost: the reconnection will start the media afresh anyway.
        _ = call.handle(.disconnected(first), now: t0)
        #expect(call.handle(.mediaChanged, now: t0) == [])
    }

    @Test func leavingTheWaitingRoomEndsTheCallWithoutARecordedStart() {
        var (call, _) = CallMachine.start(connection: first)
        #expect(call.handle(.disconnected(second), now: t0) == [])  // not its socket
        #expect(call.handle(.disconnected(first), now: t0) == [.stopMedia, .closeConnection, .recordEnd(outcome: "specialist-left")])
    }

    @Test func anAdmittedSpecialistWhoseSocketDropsHasAGraceToComeBack() {
        var (call, _) = CallMachine.start(connection: first)
        _ = call.handle(.admitted, now: t0)
        #expect(call.handle(.disconnected(first), now: t0) == [.startGrace(first)])
        #expect(call.phase == .reconnecting(since: t0))
        // Back on a new socket: the old one closed, a fresh offer.
        #expect(call.handle(.connected(second), now: t0) == [.stopMedia, .closeConnection, .startMedia])
        #expect(call.phase == .admitted && call.connection == second && call.remoteMedia.isEmpty)
        // The first socket's grace ending later changes nothing.
        #expect(call.handle(.graceOver(first), now: t0) == [])
        // Lost again, and this time the grace runs out.
        _ = call.handle(.disconnected(second), now: t0)
        #expect(call.handle(.graceOver(second), now: t0) == [.stopMedia, .closeConnection, .recordEnd(outcome: "specialist-lost")])
    }

    @Test func aCallTheRoomKeptThroughAServerRestartGoesOnWhenTheSpecialistComesBack() {
        var (call, actions) = CallMachine.resumed(now: t0)
        let placeholder = call.connection
        #expect(actions == [.startGrace(placeholder)] && call.admitted && call.phase == .reconnecting(since: t0))
        // The page connects again: straight back in, a fresh offer, no new admission needed.
        #expect(call.handle(.connected(first), now: t0) == [.stopMedia, .closeConnection, .startMedia])
        #expect(call.phase == .admitted)
        #expect(call.handle(.graceOver(placeholder), now: t0) == [])
        // Nobody comes back within the grace: the call ends, the room's pipeline with it.
        // The page came back first and waits: the room's word puts it straight back in, once.
        var (waiting, _) = CallMachine.start(connection: second)
        #expect(waiting.handle(.resumedByRoom, now: t0) == [.startMedia])
        #expect(waiting.admitted && waiting.handle(.resumedByRoom, now: t0) == [])
        // (Media prepared for that waiting page give way to the room's own.)
        var (joined, _) = CallMachine.start(connection: second)
        _ = joined.handle(.received(.join()), now: t0)
        #expect(joined.handle(.resumedByRoom, now: t0) == [.stopMedia, .startMedia] && !joined.mediaPrepared)
        var (lost, _) = CallMachine.resumed(now: t0)
        #expect(lost.handle(.graceOver(lost.connection), now: t0) == [.stopMedia, .closeConnection, .recordEnd(outcome: "specialist-lost")])
    }

    @Test func oneSpecialistPerLinkASecondDeviceIsRefusedWhileTheFirstLives() {
        let third = UUID()
        var (call, _) = CallMachine.start(connection: first)
        // In the waiting room, and in the call: the live connection keeps it.
        #expect(call.handle(.connected(second), now: t0) == [.refuseDevice(second)])
        #expect(call.phase == .waiting && call.connection == first)
        _ = call.handle(.admitted, now: t0)
        _ = call.handle(.media(.remoteMedia(kind: "video")), now: t0)
        #expect(call.handle(.connected(third), now: t0) == [.refuseDevice(third)])
        #expect(call.phase == .connected && call.connection == first)
        // The refused device leaving changes nothing.
        #expect(call.handle(.disconnected(third), now: t0) == [])
        // Once the connection is lost, a new one takes the call up again.
        _ = call.handle(.disconnected(first), now: t0)
        #expect(call.handle(.connected(third), now: t0) == [.stopMedia, .closeConnection, .startMedia])
        #expect(call.connection == third)
    }

    @Test(arguments: [
        (CallMachine.Event.roomHungUp, [CallMachine.Action.send(.leave), .stopMedia, .closeConnection, .recordEnd(outcome: "room-hung-up")]),
        (.daemonStopping(roomGoesOn: true), [.stopMedia, .closeConnection, .recordEnd(outcome: "daemon-stopped")]),
        (.daemonStopping(roomGoesOn: false), [
            .send(.error(code: "call_ended", message: "Le serveur de la structure s’est arrêté : l’appel est terminé.")), .stopMedia, .closeConnection,
            .recordEnd(outcome: "daemon-stopped"),
        ]),
        (.media(.failedToStart), [.stopMedia, .closeConnection, .recordEnd(outcome: "media-failed")]),
        (.media(.ended(why: "ICE failed")), [
            .send(.error(code: "call_ended", message: "L’appel s’est interrompu : ICE failed.")), .stopMedia, .closeConnection,
            .recordEnd(outcome: "media-ended"),
        ]),
    ])
    func everyWayAnAdmittedCallEnds(event: CallMachine.Event, expected: [CallMachine.Action]) {
        var (call, _) = CallMachine.start(connection: first)
        _ = call.handle(.admitted, now: t0)
        #expect(call.handle(event, now: t0) == expected)
        #expect(call.isEnded)
    }

    @Test func theRoomKeepsTheLastTenMessagesAndMediaOfAStoppedEngineIsIgnored() {
        var (call, _) = CallMachine.start(connection: first)
        #expect(call.handle(.media(.negotiationNeeded), now: t0) == [])
        _ = call.handle(.admitted, now: t0)
        for i in 1...12 { _ = call.handle(.media(.chat("message \(i)")), now: t0) }
        #expect(call.messages.count == 10 && call.messages.first == "message 3")
        _ = call.handle(.media(.chat(String(repeating: "x", count: 3000))), now: t0)
        #expect(call.messages.last?.count == 2000)
    }
}
