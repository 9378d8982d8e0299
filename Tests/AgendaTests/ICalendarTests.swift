import Agenda
import Foundation
import Testing

struct ICalendarTests {
    @Test func longLinesAreFoldedWithoutSplittingCharacters() {
        var ics = ICalendarWriter()
        ics.text("DESCRIPTION", String(repeating: "é", count: 100) + "; a, b\nc")
        let lines = ics.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count > 2)
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        let unfolded = ics.text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.hasSuffix("\\; a\\, b\\nc\r\n"))
    }

    @Test func parisZoneHasYearlyRules() {
        var ics = ICalendarWriter()
        VTimeZoneBuilder.write(StructureTimeZone(identifier: "Europe/Paris")!, around: 2026, into: &ics)
        #expect(ics.text.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"))
        #expect(ics.text.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"))
        #expect(ics.text.contains("TZOFFSETTO:+0200"))
    }

    @Test func zonesWithoutDaylightSavingHaveOneObservance() {
        var ics = ICalendarWriter()
        VTimeZoneBuilder.write(StructureTimeZone(identifier: "Indian/Reunion")!, around: 2026, into: &ics)
        #expect(ics.text.contains("TZOFFSETFROM:+0400"))
        #expect(!ics.text.contains("DAYLIGHT"))
    }
}
