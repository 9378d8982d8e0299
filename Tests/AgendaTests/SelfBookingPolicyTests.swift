import Agenda
import Foundation
import Testing

/// What the public page may offer: the manager's partners and kinds, the notice, the horizon.
struct SelfBookingPolicyTests {
    let zone = StructureTimeZone(identifier: "Europe/Paris")!
    let now = Timestamp.parse("2026-12-03T10:00:00+01:00")!

    func span(_ start: String) -> TimeSpan {
        let s = Timestamp.parse(start)!
        return TimeSpan(s, s.addingTimeInterval(1800))
    }

    @Test func onlyTheChosenPartnersAndKindsWithinNoticeAndHorizonAreOffered() {
        let policy = SelfBookingPolicy(enabled: true, partners: ["caf"], kinds: [.permanence, .room], horizonDays: 7, minimumNoticeHours: 24)
        let tomorrowNoon = span("2026-12-04T12:00:00+01:00")
        #expect(policy.allows(kind: .permanence, partner: "caf", span: tomorrowNoon, zone: zone, now: now))
        #expect(!policy.allows(kind: .permanence, partner: "cpam", span: tomorrowNoon, zone: zone, now: now))
        #expect(!policy.allows(kind: .visio, partner: "caf", span: tomorrowNoon, zone: zone, now: now))
        // An agent's slot needs no partner.
        #expect(policy.allows(kind: .room, partner: "", span: tomorrowNoon, zone: zone, now: now))
        // 23 h ahead is inside the notice; the 7th day is the last one, the 8th is not.
        #expect(!policy.allows(kind: .permanence, partner: "caf", span: span("2026-12-04T09:00:00+01:00"), zone: zone, now: now))
        #expect(policy.allows(kind: .permanence, partner: "caf", span: span("2026-12-09T16:00:00+01:00"), zone: zone, now: now))
        #expect(!policy.allows(kind: .permanence, partner: "caf", span: span("2026-12-10T09:00:00+01:00"), zone: zone, now: now))
        var off = policy
        off.enabled = false
        #expect(!off.allows(kind: .permanence, partner: "caf", span: tomorrowNoon, zone: zone, now: now))
    }

    @Test func settingsOutOfBoundsOrNamingAnUnknownPartnerAreRefused() {
        #expect(throws: AgendaError.self) { try SelfBookingPolicy(horizonDays: 0).validate(partnerIDs: []) }
        #expect(throws: AgendaError.self) { try SelfBookingPolicy(horizonDays: 93).validate(partnerIDs: []) }
        #expect(throws: AgendaError.self) { try SelfBookingPolicy(minimumNoticeHours: 337).validate(partnerIDs: []) }
        #expect(throws: AgendaError.self) { try SelfBookingPolicy(partners: ["nobody"]).validate(partnerIDs: ["caf"]) }
        #expect(throws: AgendaError.self) { try SelfBookingPolicy(enabled: true, kinds: []).validate(partnerIDs: []) }
        #expect(throws: Never.self) { try SelfBookingPolicy(enabled: true, partners: ["caf"]).validate(partnerIDs: ["caf"]) }
    }

    @Test func codesAreReadableAndTypedLooselyButNeverGuessedFromOtherText() {
        let codes = (0..<500).map { _ in SelfBookingCode.make() }
        #expect(Set(codes).count == 500)
        for code in codes {
            #expect(code.count == 8 && !code.contains(where: { "01OILUV".contains($0) }))
            #expect(SelfBookingCode.normalised(SelfBookingCode.display(code).lowercased()) == code)
        }
        #expect(SelfBookingCode.normalised(" abcd 2345 ") == "ABCD2345")
        #expect(SelfBookingCode.normalised("ABCD-234") == nil)
        #expect(SelfBookingCode.normalised("ABCD-0000") == nil)
        #expect(SelfBookingCode.normalised("../../etc") == nil)
    }

    @Test func theContactKeyTreatsOneNumberOrAddressAsOnePerson() {
        let key = { (phone: String?, email: String?) in SelfBookingCode.contactKey(Usager(name: "A", phone: phone, email: email, reminderConsent: true)) }
        #expect(key("06 12 34 56 78", nil) == key("+33 6 12 34 56 78", nil))
        #expect(key(nil, "Marie@Example.org") == key(nil, "marie@example.org"))
        #expect(key(nil, nil) == nil)
    }
}
