import Foundation
import Station
import Testing

struct SessionWiperTests {
    @Test func theWipeRemovesTheSessionFolderAndSaysSo() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-wipe-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: data) }
        let folders = SessionFolders(data: data, station: "poste-1")
        let folder = try folders.create("s-1")
        try Data("scan".utf8).write(to: folder.appendingPathComponent("scans/page-1.pdf"))
        try Data("cookie".utf8).write(to: folder.appendingPathComponent("profile/Cookies"))
        _ = try folders.create("s-2")
        #expect(folders.leftovers() == ["s-1", "s-2"])
        let record = SessionWiper(folders: folders, printer: nil).wipe("s-1")
        #expect(record.succeeded)
        #expect(record.leftovers.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        #expect(folders.leftovers() == ["s-2"])
    }
}
