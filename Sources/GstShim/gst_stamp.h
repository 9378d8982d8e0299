#ifndef GUICHET_GST_STAMP_H
#define GUICHET_GST_STAMP_H

#include <gst/gst.h>

/* Called by the shim for each remote picture reaching the room's sink: reads its stamp when
 * the benchmark switched reading on (guichet_stamp_latencies), else returns at once. */
void guichet_stamp_read_remote(GstElement *webrtc, GstBuffer *buffer, GstPad *pad);

#endif
