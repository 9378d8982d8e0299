#ifndef GUICHET_GST_SHIM_H
#define GUICHET_GST_SHIM_H

#include <gst/gst.h>

/* What Swift cannot call in GStreamer and webrtcbin: variadic GObject calls (signal
 * emission with promises, g_object_get) and signal handlers with their own C signatures.
 *
 * Ownership across the boundary: `guichet_webrtc_watch` keeps `context` unretained (Swift
 * passes `Unmanaged.passUnretained(peer)`); the MediaPeer outlives every callback because its
 * deinit stops the pipeline (GST_STATE_NULL joins the streaming threads) before releasing it.
 * The watch itself lives in webrtcbin's object data and is freed with webrtcbin. */

/* What webrtcbin tells the engine. Everything arrives on GStreamer's or libnice's threads. */
typedef enum {
    GUICHET_EVENT_NEGOTIATION_NEEDED = 1,
    GUICHET_EVENT_ICE_CANDIDATE = 2,      /* mline, text = candidate */
    GUICHET_EVENT_LOCAL_DESCRIPTION = 3,  /* text = SDP (offer or answer), already set locally */
    GUICHET_EVENT_ICE_STATE = 4,          /* text = new, checking, connected, completed, failed, disconnected, closed */
    GUICHET_EVENT_REMOTE_MEDIA = 5,       /* text = "video" or "audio": a decoded remote stream reached its sink */
    GUICHET_EVENT_ERROR = 6,              /* text = what failed */
    GUICHET_EVENT_DATA = 7                /* text = a chat message received */
} GuichetEvent;

typedef void (*guichet_event_cb)(void *context, int event, unsigned mline, const char *text);

/* Connects webrtcbin's signals to `callback`. Remote streams are decoded, counted in
 * `video_frames` / `audio_buffers`, and played on the room's screen and speaker when
 * `display` (autovideosink, autoaudiosink), else dropped (fakesinks: tests, no display). */
void guichet_webrtc_watch(GstElement *pipeline, GstElement *webrtc, guichet_event_cb callback, void *context,
                          volatile gint64 *video_frames, volatile gint64 *audio_buffers, int display);

/* Where the decoded remote streams go instead of the screen/speaker or counting sinks: bin
 * descriptions whose unlinked sink pad takes the stream (a conference's inter sinks). Call
 * after `guichet_webrtc_watch`, before the pipeline starts. */
void guichet_webrtc_set_outputs(GstElement *webrtc, const char *video, const char *audio);

/* Creates an offer (or an answer), sets it as the local description, then reports it. */
void guichet_webrtc_create(GstElement *webrtc, int answer);

/* Parses and validates `sdp` before webrtcbin sees it; 0 when set, -1 when refused. */
int guichet_webrtc_set_remote(GstElement *webrtc, int answer, const char *sdp);

void guichet_webrtc_add_candidate(GstElement *webrtc, unsigned mline, const char *candidate);

/* The bin's aggregators (compositor, audiomixer) keep their output's time when the first
 * buffer reaches them. Fed by live sources, an aggregator outputs on the clock while its
 * inputs are still empty; the first buffer then moves its output back to running time 0
 * (GstAggregator's start-time selection): one buffer back in time, which opusenc refuses
 * ("buffer going too far back in time") and the call ends — seen on a loaded machine, where
 * the first buffer comes late. Setting each one's segment turns that selection off. Call
 * before the pipeline leaves NULL. */
void guichet_aggregators_keep_time(GstElement *bin);

/* The rate (kbit/s) the far end's browser is asked to start its video at, in every description
 * sent from now on (0: none). */
void guichet_webrtc_ask_far_start_rate(GstElement *webrtc, unsigned kbps);

/* ICE's pacing of connectivity checks (Ta). libnice's 20 ms, one check per candidate pair
 * (UDP, TCP active, TCP passive, times the far end's), made ICE take ~60 ms on a link of
 * 1 ms; RFC 8445 §14.2 allows down to 5 ms. */
void guichet_webrtc_pace_ice_checks(GstElement *webrtc, unsigned milliseconds);

/* Lets libnice gather candidates on 127.0.0.1 (tests on loopback only). */
int guichet_webrtc_allow_loopback(GstElement *webrtc);

/* The room's DTLS certificate and key (PEM) for every transport webrtcbin creates from now
 * on (webrtcbin 1.22 would make an RSA one), and its `sha-256 AA:…` fingerprint, which the
 * descriptions then carry. Call before the first offer. */
void guichet_webrtc_set_certificate(GstElement *webrtc, const char *pem, const char *fingerprint);

/* Counts what leaves `element`'s src pad: bytes[0] the size of every buffer (the encoder's real
 * output, whatever its target says), bytes[1] its key frames. */
int guichet_count_output(GstElement *element, volatile gint64 *bytes);

/* The chat channel: created by the offerer before the offer; the answerer receives it. */
void guichet_webrtc_create_chat(GstElement *webrtc);
int guichet_webrtc_send_chat(GstElement *webrtc, const char *text);

/* webrtcbin's statistics (a copy the caller frees with gst_structure_free), or NULL when the
 * call is stopping. Blocks until they are gathered: not for streaming threads. Swift reads
 * them (media/SendStats.swift). */
GstStructure *guichet_webrtc_get_stats(GstElement *webrtc);

/* Benchmark only (gst_stamp.c): stamps the wall-clock time into each raw frame entering
 * `element`, and reads the stamps of the remote video (latencies in ms since the last call,
 * up to `max`; the first call switches reading on). */
int guichet_stamp_outgoing(GstElement *element);
int guichet_stamp_latencies(GstElement *webrtc, double *out, int max);

/* The call stops: a statistics request in flight is interrupted, none is started again. */
void guichet_webrtc_stopping(GstElement *webrtc);
/* Prepared media: drops what the room's streams send into webrtcbin (their formats pass) until
 * the release, which also asks the video encoder for a key frame. Hold before PLAYING. */
void guichet_webrtc_hold_input(GstElement *webrtc);
void guichet_webrtc_release_input(GstElement *webrtc);

/* The colour (Y, U, V) of the last I420 picture a sink received, at a point given as fractions
 * of its size: 0, or -1 when there is none (tests read the room's screen with it). */
int guichet_sample_pixel(GstElement *sink, double fx, double fy, unsigned char *yuv);

/* An integer property (g_object_get is variadic). */
int guichet_get_int(GstElement *element, const char *property);

#endif
