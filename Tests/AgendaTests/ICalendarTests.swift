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

    @Test func theRepeatedAutumnHourIsWrittenUnambiguously() {
        let paris = StructureTimeZone(identifier: "Europe/Paris")!
        var ics = ICalendarWriter()
        ics.dateTime("DTSTART", Timestamp.parse("2027-10-31T02:00:00+02:00")!, paris)  // first 02:00: local text is right
        ics.dateTime("DTSTART", Timestamp.parse("2027-10-31T02:00:00+01:00")!, paris)  // second 02:00: UTC
        ics.dateTime("DTSTART", Timestamp.parse("2027-10-31T09:00:00+01:00")!, paris)
        #expect(ics.text == "DTSTART;TZID=Europe/Paris:20271031T020000\r\nDTSTART:20271031T010000Z\r\nDTSTART;TZID=Europe/Paris:20271031T090000\r\n")
    }
}
