/* The part of the media engine Swift cannot write: variadic GObject calls (signal
 * emission, g_object_get, gst_structure_get) and the signal handlers whose C signatures
 * differ. The benchmark's picture stamps are in gst_stamp.c; reading the statistics and
 * everything else is in Swift (media/). */
#define GST_USE_UNSTABLE_API 1
#include "gst_shim.h"
#include "gst_stamp.h"

#include <gst/base/gstaggregator.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>
#include <string.h>

typedef struct {
    guichet_event_cb callback;
    void *context;
    GstElement *pipeline;
    volatile gint64 *video;
    volatile gint64 *audio;
    GstWebRTCDataChannel *chat;
    GstElement *webrtc; /* not owned: the watch lives in webrtcbin's object data */
    GMutex lock;
    gboolean display;
    /* Where the decoded remote picture and sound go instead (a conference: the other seat and
     * the room's screen), as bin descriptions; NULL for the screen/speaker or counting sinks. */
    gchar *video_output;
    gchar *audio_output;
    GstPromise *pending_stats; /* interrupted when the call stops, so no one waits forever */
    gboolean stopping;
} Watch;

static Watch *watch_of(GstElement *webrtc) { return g_object_get_data(G_OBJECT(webrtc), "guichet-watch"); }

static void emit(Watch *w, int event, unsigned mline, const char *text) {
    if (w && w->callback) w->callback(w->context, event, mline, text);
}

static void free_watch(gpointer data) {
    Watch *w = data;
    if (w->chat) g_object_unref(w->chat);
    g_free(w->video_output);
    g_free(w->audio_output);
    g_mutex_clear(&w->lock);
    g_free(w);
}

static void on_negotiation_needed(GstElement *webrtc, gpointer data) { emit(data, GUICHET_EVENT_NEGOTIATION_NEEDED, 0, NULL); }

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *candidate, gpointer data) {
    emit(data, GUICHET_EVENT_ICE_CANDIDATE, mline, candidate);
}

static void on_ice_state(GObject *webrtc, GParamSpec *spec, gpointer data) {
    GstWebRTCICEConnectionState state;
    g_object_get(webrtc, "ice-connection-state", &state, NULL);
    static const char *names[] = {"new", "checking", "connected", "completed", "failed", "disconnected", "closed"};
    emit(data, GUICHET_EVENT_ICE_STATE, 0, state < 7 ? names[state] : "unknown");
}

/* Counts what reaches the room's screen or speaker, says so at the first buffer, and (benchmark
 * only) reads the pictures' stamps. */
static GstPadProbeReturn on_remote_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    Watch *w = data;
    gboolean video = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(pad), "guichet-video"));
    volatile gint64 *counter = video ? w->video : w->audio;
    if (__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED) == 0) emit(w, GUICHET_EVENT_REMOTE_MEDIA, 0, video ? "video" : "audio");
    if (video) guichet_stamp_read_remote(w->webrtc, GST_PAD_PROBE_INFO_BUFFER(info), pad);
    return GST_PAD_PROBE_OK;
}

/* The room's screen and speaker, or counting sinks (tests, benchmark, no display). */
static GstElement *remote_output(Watch *w, gboolean video) {
    GError *error = NULL;
    const char *chosen = video ? w->video_output : w->audio_output;
    const char *description = chosen       ? chosen
                              : !w->display ? "queue ! fakesink sync=false async=false"
                              : video       ? "queue ! videoconvert ! autovideosink sync=true"
                                            : "queue ! audioconvert ! audioresample ! autoaudiosink sync=true";
    GstElement *bin = gst_parse_bin_from_description(description, TRUE, &error);
    if (error) g_error_free(error);
    return bin;
}

static void on_decoded_pad(GstElement *decodebin, GstPad *pad, gpointer data) {
    Watch *w = data;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps) caps = gst_pad_query_caps(pad, NULL);
    const gchar *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    gboolean video = g_str_has_prefix(name, "video/");
    gboolean audio = g_str_has_prefix(name, "audio/");
    gst_caps_unref(caps);
    if (!video && !audio) return;
    GstElement *output = remote_output(w, video);
    if (!output) {
        emit(w, GUICHET_EVENT_ERROR, 0, video ? "no screen for the remote picture" : "no speaker for the remote sound");
        return;
    }
    gst_bin_add(GST_BIN(w->pipeline), output);
    gst_element_sync_state_with_parent(output);
    GstPad *target = gst_element_get_static_pad(output, "sink");
    g_object_set_data(G_OBJECT(target), "guichet-video", GINT_TO_POINTER(video));
    gst_pad_add_probe(target, GST_PAD_PROBE_TYPE_BUFFER, on_remote_buffer, w, NULL);
    if (gst_pad_link(pad, target) != GST_PAD_LINK_OK) emit(w, GUICHET_EVENT_ERROR, 0, "cannot link a decoded remote stream");
    gst_object_unref(target);
}

static void on_remote_pad(GstElement *webrtc, GstPad *pad, gpointer data) {
    Watch *w = data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
    GstElement *decodebin = gst_element_factory_make("decodebin", NULL);
    g_signal_connect(decodebin, "pad-added", G_CALLBACK(on_decoded_pad), w);
    gst_bin_add(GST_BIN(w->pipeline), decodebin);
    gst_element_sync_state_with_parent(decodebin);
    GstPad *sink = gst_element_get_static_pad(decodebin, "sink");
    if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK) emit(w, GUICHET_EVENT_ERROR, 0, "cannot link a remote stream");
    gst_object_unref(sink);
}

static void on_chat_message(GstWebRTCDataChannel *channel, gchar *text, gpointer data) { emit(data, GUICHET_EVENT_DATA, 0, text); }

static void on_data_channel(GstElement *webrtc, GstWebRTCDataChannel *channel, gpointer data) {
    Watch *w = data;
    g_mutex_lock(&w->lock);
    if (!w->chat) w->chat = g_object_ref(channel);
    g_mutex_unlock(&w->lock);
    g_signal_connect(channel, "on-message-string", G_CALLBACK(on_chat_message), w);
}

void guichet_webrtc_watch(GstElement *pipeline, GstElement *webrtc, guichet_event_cb callback, void *context,
                          volatile gint64 *video_frames, volatile gint64 *audio_buffers, int display) {
    Watch *w = g_new0(Watch, 1);
    w->display = display;
    w->callback = callback;
    w->context = context;
    w->pipeline = pipeline;
    w->webrtc = webrtc;
    w->video = video_frames;
    w->audio = audio_buffers;
    g_mutex_init(&w->lock);
    g_object_set_data_full(G_OBJECT(webrtc), "guichet-watch", w, free_watch);
    g_signal_connect(webrtc, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), w);
    g_signal_connect(webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate), w);
    g_signal_connect(webrtc, "notify::ice-connection-state", G_CALLBACK(on_ice_state), w);
    g_signal_connect(webrtc, "pad-added", G_CALLBACK(on_remote_pad), w);
    g_signal_connect(webrtc, "on-data-channel", G_CALLBACK(on_data_channel), w);
}

/* webrtcbin 1.22 hashes every base64 line of a given certificate's PEM for `a=fingerprint`,
 * the private key's included, so the far end would refuse the handshake: the fingerprint of
 * the certificate alone is written instead (the certificate the handshake presents). */
static void fix_fingerprints(GstElement *webrtc, GstSDPMessage *sdp) {
    const gchar *fingerprint = g_object_get_data(G_OBJECT(webrtc), "guichet-dtls-fingerprint");
    if (!fingerprint) return;
    for (guint m = 0; m < gst_sdp_message_medias_len(sdp); m++) {
        GstSDPMedia *media = (GstSDPMedia *)gst_sdp_message_get_media(sdp, m);
        for (guint a = 0; a < gst_sdp_media_attributes_len(media); a++) {
            if (g_strcmp0(gst_sdp_media_get_attribute(media, a)->key, "fingerprint")) continue;
            GstSDPAttribute attribute;
            gst_sdp_attribute_set(&attribute, "fingerprint", fingerprint);
            gst_sdp_media_replace_attribute(media, a, &attribute);
        }
    }
}

/* Asks the far end's browser to start its video at the room's own rate (`x-google-start-bitrate`,
 * read by Chromium, ignored by other stacks): from its default 300 kbit/s, Chromium drops its
 * first frames of a 720p camera and scales down before it sends one, which held the room's
 * first picture ~100–200 ms behind the page's. Only the description sent carries it, not
 * webrtcbin's own local one. */
static void ask_start_rate(GstElement *webrtc, GstSDPMessage *sdp) {
    guint kbps = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(webrtc), "guichet-far-start-kbps"));
    if (!kbps) return;
    for (guint m = 0; m < gst_sdp_message_medias_len(sdp); m++) {
        GstSDPMedia *media = (GstSDPMedia *)gst_sdp_message_get_media(sdp, m);
        if (g_strcmp0(gst_sdp_media_get_media(media), "video") || !gst_sdp_media_formats_len(media)) continue;
        const gchar *format = gst_sdp_media_get_format(media, 0);
        gchar *prefix = g_strdup_printf("%s ", format);
        gboolean merged = FALSE;
        for (guint a = 0; a < gst_sdp_media_attributes_len(media) && !merged; a++) {
            const GstSDPAttribute *attribute = gst_sdp_media_get_attribute(media, a);
            if (g_strcmp0(attribute->key, "fmtp") || !attribute->value || !g_str_has_prefix(attribute->value, prefix)) continue;
            gchar *value = g_strdup_printf("%s;x-google-start-bitrate=%u", attribute->value, kbps);
            GstSDPAttribute replaced;
            gst_sdp_attribute_set(&replaced, "fmtp", value);
            gst_sdp_media_replace_attribute(media, a, &replaced);
            g_free(value);
            merged = TRUE;
        }
        if (!merged) {
            gchar *value = g_strdup_printf("%sx-google-start-bitrate=%u", prefix, kbps);
            gst_sdp_media_add_attribute(media, "fmtp", value);
            g_free(value);
        }
        g_free(prefix);
    }
}

void guichet_webrtc_ask_far_start_rate(GstElement *webrtc, unsigned kbps) {
    g_object_set_data(G_OBJECT(webrtc), "guichet-far-start-kbps", GUINT_TO_POINTER(kbps));
}

static void on_description_created(GstPromise *promise, gpointer data) {
    GstElement *webrtc = data;
    Watch *w = watch_of(webrtc);
    GstWebRTCSessionDescription *description = NULL;
    const GstStructure *reply = gst_promise_get_reply(promise);
    if (reply && gst_structure_has_field(reply, "offer"))
        gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
    else if (reply && gst_structure_has_field(reply, "answer"))
        gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
    gst_promise_unref(promise);
    if (!description) {
        emit(w, GUICHET_EVENT_ERROR, 0, "webrtcbin created no description");
        gst_object_unref(webrtc);
        return;
    }
    fix_fingerprints(webrtc, description->sdp);
    GstPromise *set = gst_promise_new();
    g_signal_emit_by_name(webrtc, "set-local-description", description, set);
    gst_promise_interrupt(set);
    gst_promise_unref(set);
    GstSDPMessage *sent = NULL;
    gst_sdp_message_copy(description->sdp, &sent);
    ask_start_rate(webrtc, sent);
    gchar *text = gst_sdp_message_as_text(sent);
    emit(w, GUICHET_EVENT_LOCAL_DESCRIPTION, 0, text);
    g_free(text);
    gst_sdp_message_free(sent);
    gst_webrtc_session_description_free(description);
    gst_object_unref(webrtc);
}

void guichet_webrtc_set_outputs(GstElement *webrtc, const char *video, const char *audio) {
    Watch *w = watch_of(webrtc);
    if (!w) return;
    g_free(w->video_output);
    g_free(w->audio_output);
    w->video_output = video ? g_strdup(video) : NULL;
    w->audio_output = audio ? g_strdup(audio) : NULL;
}

void guichet_webrtc_create(GstElement *webrtc, int answer) {
    GstPromise *promise = gst_promise_new_with_change_func(on_description_created, gst_object_ref(webrtc), NULL);
    g_signal_emit_by_name(webrtc, answer ? "create-answer" : "create-offer", NULL, promise);
}

int guichet_webrtc_set_remote(GstElement *webrtc, int answer, const char *sdp) {
    GstSDPMessage *message = NULL;
    if (!sdp || gst_sdp_message_new_from_text(sdp, &message) != GST_SDP_OK) return -1;
    /* webrtcbin 1.22 may crash on some invalid descriptions: refuse what cannot be a call. */
    guint medias = gst_sdp_message_medias_len(message);
    gboolean session_ufrag = gst_sdp_message_get_attribute_val(message, "ice-ufrag") != NULL;
    gboolean valid = medias > 0 && medias <= 8;
    for (guint i = 0; valid && i < medias; i++) {
        const GstSDPMedia *media = gst_sdp_message_get_media(message, i);
        const gchar *kind = gst_sdp_media_get_media(media);
        valid = kind && (!strcmp(kind, "audio") || !strcmp(kind, "video") || !strcmp(kind, "application"))
            && gst_sdp_media_formats_len(media) > 0
            && (session_ufrag || gst_sdp_media_get_attribute_val(media, "ice-ufrag") != NULL);
    }
    if (!valid) {
        gst_sdp_message_free(message);
        return -1;
    }
    GstWebRTCSessionDescription *description =
        gst_webrtc_session_description_new(answer ? GST_WEBRTC_SDP_TYPE_ANSWER : GST_WEBRTC_SDP_TYPE_OFFER, message);
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(webrtc, "set-remote-description", description, promise);
    gst_promise_wait(promise);
    const GstStructure *reply = gst_promise_get_reply(promise);
    int refused = reply && gst_structure_has_field(reply, "error");
    gst_promise_unref(promise);
    gst_webrtc_session_description_free(description);
    return refused ? -1 : 0;
}

void guichet_webrtc_add_candidate(GstElement *webrtc, unsigned mline, const char *candidate) {
    g_signal_emit_by_name(webrtc, "add-ice-candidate", mline, candidate);
}

/* webrtcbin's libnice agent (a new reference), or NULL. */
static NiceAgent *nice_agent_of(GstElement *webrtc) {
    GObject *ice = NULL;
    NiceAgent *agent = NULL;
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (!ice) return NULL;
    g_object_get(ice, "agent", &agent, NULL);
    g_object_unref(ice);
    return agent;
}

void guichet_webrtc_pace_ice_checks(GstElement *webrtc, unsigned milliseconds) {
    NiceAgent *agent = nice_agent_of(webrtc);
    if (!agent) return;
    g_object_set(agent, "stun-pacing-timer", milliseconds, NULL);
    g_object_unref(agent);
}

int guichet_webrtc_allow_loopback(GstElement *webrtc) {
    NiceAgent *agent = nice_agent_of(webrtc);
    if (!agent) return -1;
    NiceAddress address;
    nice_address_init(&address);
    int ok = nice_address_set_from_string(&address, "127.0.0.1") && nice_agent_add_local_address(agent, &address);
    g_object_unref(agent);
    return ok ? 0 : -1;
}

void guichet_webrtc_create_chat(GstElement *webrtc) {
    Watch *w = watch_of(webrtc);
    GstWebRTCDataChannel *channel = NULL;
    g_signal_emit_by_name(webrtc, "create-data-channel", "chat", NULL, &channel);
    if (!channel) return;
    g_signal_connect(channel, "on-message-string", G_CALLBACK(on_chat_message), w);
    g_mutex_lock(&w->lock);
    if (w->chat) g_object_unref(w->chat);
    w->chat = channel;
    g_mutex_unlock(&w->lock);
}

int guichet_webrtc_send_chat(GstElement *webrtc, const char *text) {
    Watch *w = watch_of(webrtc);
    if (!w) return -1;
    g_mutex_lock(&w->lock);
    GstWebRTCDataChannel *channel = w->chat ? g_object_ref(w->chat) : NULL;
    g_mutex_unlock(&w->lock);
    if (!channel) return -1;
    GstWebRTCDataChannelState state;
    g_object_get(channel, "ready-state", &state, NULL);
    int ok = state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN;
    if (ok) g_signal_emit_by_name(channel, "send-string", text);
    g_object_unref(channel);
    return ok ? 0 : -1;
}

GstStructure *guichet_webrtc_get_stats(GstElement *webrtc) {
    Watch *w = watch_of(webrtc);
    if (!w) return NULL;
    GstPromise *promise = gst_promise_new();
    g_mutex_lock(&w->lock);
    if (w->stopping) {
        g_mutex_unlock(&w->lock);
        gst_promise_unref(promise);
        return NULL;
    }
    w->pending_stats = gst_promise_ref(promise);
    g_mutex_unlock(&w->lock);
    g_signal_emit_by_name(webrtc, "get-stats", NULL, promise);
    GstPromiseResult result = gst_promise_wait(promise);
    g_mutex_lock(&w->lock);
    gst_promise_unref(w->pending_stats);
    w->pending_stats = NULL;
    g_mutex_unlock(&w->lock);
    const GstStructure *reply = result == GST_PROMISE_RESULT_REPLIED ? gst_promise_get_reply(promise) : NULL;
    GstStructure *copy = reply ? gst_structure_copy(reply) : NULL;
    gst_promise_unref(promise);
    return copy;
}

int guichet_get_int(GstElement *element, const char *property) {
    gint value = 0;
    g_object_get(element, property, &value, NULL);
    return value;
}

void guichet_webrtc_stopping(GstElement *webrtc) {
    Watch *w = watch_of(webrtc);
    if (!w) return;
    g_mutex_lock(&w->lock);
    w->stopping = TRUE;
    if (w->pending_stats) gst_promise_interrupt(w->pending_stats);
    g_mutex_unlock(&w->lock);
}

/* data: two counters, the bytes and the key frames the encoder produced. */
static GstPadProbeReturn on_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    volatile gint64 *counters = data;
    if (!buffer) return GST_PAD_PROBE_OK;
    __atomic_fetch_add(&counters[0], (gint64)gst_buffer_get_size(buffer), __ATOMIC_RELAXED);
    if (!GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)) __atomic_fetch_add(&counters[1], 1, __ATOMIC_RELAXED);
    return GST_PAD_PROBE_OK;
}

int guichet_count_output(GstElement *element, volatile gint64 *bytes) {
    GstPad *pad = gst_element_get_static_pad(element, "src");
    if (!pad) return -1;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_encoded, (gpointer)bytes, NULL);
    gst_object_unref(pad);
    return 0;
}

/* Prepared media: what the room's streams carry to webrtcbin is dropped just before it (their
 * formats still pass, so webrtcbin can ask to negotiate), so nothing waits in a queue while the
 * specialist waits (webrtcbin would block it until the offer: the sound captured then would
 * reach the far end at admission). The flag lives in webrtcbin's object data; each probe
 * removes itself at the first buffer after the release. */
static GstPadProbeReturn on_held(GstPad *pad, GstPadProbeInfo *info, gpointer webrtc) {
    return g_object_get_data(G_OBJECT(webrtc), "guichet-held") ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_REMOVE;
}

static void hold_input(const GValue *item, gpointer webrtc) {
    GstPad *peer = gst_pad_get_peer(g_value_get_object(item));
    if (!peer) return;
    gst_pad_add_probe(peer, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_held, webrtc, NULL);
    gst_object_unref(peer);
}

/* The encoders have been running: the far end's first picture must not wait for its own
 * request of a key frame. */
static void ask_key_frame(const GValue *item, gpointer unused) {
    GstPad *peer = gst_pad_get_peer(g_value_get_object(item));
    if (!peer) return;
    gst_pad_send_event(peer, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
    gst_object_unref(peer);
}

void guichet_webrtc_hold_input(GstElement *webrtc) {
    g_object_set_data(G_OBJECT(webrtc), "guichet-held", GINT_TO_POINTER(1));
    GstIterator *pads = gst_element_iterate_sink_pads(webrtc);
    gst_iterator_foreach(pads, hold_input, webrtc);
    gst_iterator_free(pads);
}

void guichet_webrtc_release_input(GstElement *webrtc) {
    if (!g_object_get_data(G_OBJECT(webrtc), "guichet-held")) return;
    g_object_set_data(G_OBJECT(webrtc), "guichet-held", NULL);
    GstIterator *pads = gst_element_iterate_sink_pads(webrtc);
    gst_iterator_foreach(pads, ask_key_frame, NULL);
    gst_iterator_free(pads);
}

/* Gives every DTLS decoder webrtcbin creates (one per transport, inside bins it builds before
 * adding them) the room's certificate, before the offer reads its fingerprint. */
static void set_certificate_on(GstElement *element, const char *pem) {
    GstElementFactory *factory = gst_element_get_factory(element);
    if (factory && !g_strcmp0(GST_OBJECT_NAME(factory), "dtlsdec")) g_object_set(element, "pem", pem, NULL);
    if (!GST_IS_BIN(element)) return;
    GstIterator *children = gst_bin_iterate_recurse(GST_BIN(element));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(children, &item) == GST_ITERATOR_OK) {
        GstElement *child = g_value_get_object(&item);
        factory = gst_element_get_factory(child);
        if (factory && !g_strcmp0(GST_OBJECT_NAME(factory), "dtlsdec")) g_object_set(child, "pem", pem, NULL);
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(children);
}

static void on_deep_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data) {
    set_certificate_on(element, data);
}

void guichet_webrtc_set_certificate(GstElement *webrtc, const char *pem, const char *fingerprint) {
    g_object_set_data_full(G_OBJECT(webrtc), "guichet-dtls-fingerprint", g_strdup(fingerprint), g_free);
    gchar *kept = g_strdup(pem);
    g_object_set_data_full(G_OBJECT(webrtc), "guichet-dtls-pem", kept, g_free);
    g_signal_connect(webrtc, "deep-element-added", G_CALLBACK(on_deep_element_added), kept);
    set_certificate_on(webrtc, kept);
}

int guichet_sample_pixel(GstElement *sink, double fx, double fy, unsigned char *yuv) {
    GstSample *sample = NULL;
    g_object_get(sink, "last-sample", &sample, NULL);
    if (!sample) return -1;
    int result = -1;
    GstCaps *caps = gst_sample_get_caps(sample);
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    GstVideoInfo info;
    GstVideoFrame frame;
    if (caps && buffer && gst_video_info_from_caps(&info, caps) && GST_VIDEO_INFO_FORMAT(&info) == GST_VIDEO_FORMAT_I420 &&
        gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) {
        int x = (int)(fx * GST_VIDEO_FRAME_WIDTH(&frame)), y = (int)(fy * GST_VIDEO_FRAME_HEIGHT(&frame));
        if (x >= 0 && y >= 0 && x < GST_VIDEO_FRAME_WIDTH(&frame) && y < GST_VIDEO_FRAME_HEIGHT(&frame)) {
            for (int plane = 0; plane < 3; plane++) {
                int scale = plane == 0 ? 1 : 2;
                const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA(&frame, plane);
                yuv[plane] = data[(y / scale) * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane) + x / scale];
            }
            result = 0;
        }
        gst_video_frame_unmap(&frame);
    }
    gst_sample_unref(sample);
    return result;
}

void guichet_aggregators_keep_time(GstElement *bin) {
    GstIterator *it = gst_bin_iterate_recurse(GST_BIN(bin));
    GValue item = G_VALUE_INIT;
    gboolean done = FALSE;
    while (!done) {
        switch (gst_iterator_next(it, &item)) {
        case GST_ITERATOR_OK: {
            GstElement *element = g_value_get_object(&item);
            if (GST_IS_AGGREGATOR(element)) {
                GstSegment segment;
                gst_segment_init(&segment, GST_FORMAT_TIME);
                segment.position = GST_CLOCK_TIME_NONE;
                gst_aggregator_update_segment(GST_AGGREGATOR(element), &segment);
            }
            g_value_reset(&item);
            break;
        }
        case GST_ITERATOR_RESYNC: gst_iterator_resync(it); break;
        default: done = TRUE; break;
        }
    }
    g_value_unset(&item);
    gst_iterator_free(it);
}
