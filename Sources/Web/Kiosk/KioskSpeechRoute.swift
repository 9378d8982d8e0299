import Agenda
import OfficeKit
import Foundation
import Hummingbird
import Kiosk

/// `GET /kiosk/{station}/parole?lang=fr&text=…`: the station's voice for one text of its
/// screen, as a WAV. Under the station's path (the locked browser reaches nothing else) and
/// without its session guard (the welcome screen speaks too): it answers only with texts the
/// station shows by itself, so nothing the usager typed and no document is ever synthesized.
struct KioskSpeechRoute: Sendable {
    let speech: KioskSpeech
    let speakable: SpeakableTexts

    init(office: Office, pages: WebPages) {
        speech = pages.speech
        let structure = office.structure
        speakable = SpeakableTexts(
            strings: pages.strings,
            extra: [
                "fr": structure.lifeSituations.flatMap { [$0.titleFrench, $0.theme] } + structure.partners.map(\.name),
                "en": structure.lifeSituations.map(\.titleEnglish),
            ])
    }

    func addRoutes(to kiosk: RouterGroup<GuichetRequestContext>) {
        kiosk.get("parole", use: say)
    }

    @Sendable func say(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let text = query.get("text"), let lang = query.get("lang") else {
            throw HTTPError(.badRequest, message: "lang et text sont requis.")
        }
        guard let voice = speakable.voice(for: text, lang: lang) else {
            throw HTTPError(.notFound, message: "Ce texte n'est pas un texte du poste : il n'est pas lu.")
        }
        let audio: Data
        do {
            audio = try await speech.audio(SpeakableTexts.normalized(text), voice: voice)
        } catch {
            throw HTTPError(.serviceUnavailable, message: "La lecture à voix haute est indisponible : \(error)")
        }
        return Response(
            status: .ok, headers: [.contentType: "audio/wav", .cacheControl: "private, max-age=86400"],
            body: .init(byteBuffer: ByteBuffer(bytes: audio)))
    }
}
