import Agenda
import Foundation
import Store

/// A station's question at one step of its self-booking: what the usager chose so far.
public struct StationBookingAsk: Codable, Sendable, Equatable {
    public var situation: String?
    public var choice: String?
    public var day: String?

    public init(situation: String? = nil, choice: String? = nil, day: String? = nil) {
        self.situation = situation
        self.choice = choice
        self.day = day
    }
}

/// The answer: ids and values only (the station names them in the usager's language).
public struct StationBookingStep: Codable, Sendable, Equatable {
    public var closed = false
    /// The life situations offered, when none is chosen yet.
    public var situations: [String]?
    /// The choices offered, when the situation has more than one.
    public var choices: [String]?
    /// The choice the slots are for (given, or the situation's only one).
    public var choice: String?
    public var day: String?
    public var slots: [String]?
    public var previous: String?
    public var next: String?
    public var none = false

    public init() {}
}

/// A booking made at a station: what its slip and confirmation page say.
public struct StationBooked: Codable, Sendable, Equatable {
    public var code: String
    public var kind: String
    public var partner: String?
    public var room: String
    public var start: Double
    public var end: Double
    public var situation: String?
}

extension SelfBookingFlow {
    /// One step of a station's self-booking (the same offer as the public page's).
    public func stationStep(_ ask: StationBookingAsk, now: Date) async throws -> StationBookingStep {
        var step = StationBookingStep()
        let policy = try await policy()
        guard policy.enabled else {
            step.closed = true
            return step
        }
        let situation = ask.situation.flatMap { id in structure.lifeSituations.first { $0.id == id } }
        var choice = ask.choice.flatMap(SelfBookingChoice.init)
        if situation == nil && choice == nil {
            step.situations = situations(policy: policy).map(\.id)
            return step
        }
        if choice == nil {
            let offered = try await choices(for: situation, policy: policy, now: now)
            guard offered.count == 1 else {
                step.choices = offered.map(\.value)
                step.none = offered.isEmpty
                return step
            }
            choice = offered[0]
        }
        guard let choice else { return step }
        let day = try await day(choice, asked: ask.day.flatMap(LocalDate.init(iso:)), policy: policy, now: now)
        step.choice = choice.value
        step.day = day.date?.description
        step.slots = day.slots.map { SlotChoice($0).value }
        step.previous = day.previous?.description
        step.next = day.next?.description
        step.none = day.none
        return step
    }

    /// Books at a station: the name only (a shared PC takes no phone nor address; the printed
    /// slip is the usager's reminder), under the same policy and rules as the public page.
    public func stationBook(slot value: String, situation: String?, name: String, now: Date, book: (BookingRequest) async throws -> SelfBooked) async throws -> StationBooked {
        guard let slot = SlotChoice(value) else {
            throw AgendaError.invalidField("slot", french: "Choisissez un horaire.", english: "Choose a time.")
        }
        let booked = try await book(slot.request(lifeSituation: situation, usager: Usager(name: name)))
        let b = booked.booking
        return StationBooked(
            code: booked.code, kind: b.kind.rawValue, partner: b.partner, room: b.room, start: b.span.start.timeIntervalSince1970,
            end: b.span.end.timeIntervalSince1970, situation: b.lifeSituation)
    }
}
