import CJpeg
import Foundation

/// Baseline JPEG encoding through libjpeg-turbo, as scanimage's own PDF output does.
enum JPEGEncoder {
    /// `pixels` holds `height` rows of `width × components` bytes (1 = gray, 3 = RGB).
    /// The caller checks the geometry first: libjpeg's default error handler exits the
    /// process, and with a valid geometry in memory it has nothing left to fail on.
    static func encode(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, components: Int, quality: Int32 = 75) -> Data {
        precondition(width > 0 && height > 0 && (components == 1 || components == 3) && pixels.count >= width * height * components)
        let info = UnsafeMutablePointer<jpeg_compress_struct>.allocate(capacity: 1)
        let errors = UnsafeMutablePointer<jpeg_error_mgr>.allocate(capacity: 1)
        info.initialize(to: jpeg_compress_struct())
        errors.initialize(to: jpeg_error_mgr())
        defer {
            jpeg_destroy_compress(info)
            info.deallocate()
            errors.deallocate()
        }
        info.pointee.err = jpeg_std_error(errors)
        jpeg_CreateCompress(info, JPEG_LIB_VERSION, MemoryLayout<jpeg_compress_struct>.size)
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        jpeg_mem_dest(info, &buffer, &size)
        info.pointee.image_width = JDIMENSION(width)
        info.pointee.image_height = JDIMENSION(height)
        info.pointee.input_components = Int32(components)
        info.pointee.in_color_space = components == 3 ? JCS_RGB : JCS_GRAYSCALE
        jpeg_set_defaults(info)
        jpeg_set_quality(info, quality, 1)
        jpeg_start_compress(info, 1)
        let stride = width * components
        let base = UnsafeMutablePointer(mutating: pixels.baseAddress!)
        var rows = [JSAMPROW?](repeating: nil, count: 32)
        while info.pointee.next_scanline < info.pointee.image_height {
            let first = Int(info.pointee.next_scanline)
            let count = min(rows.count, height - first)
            for i in 0..<count { rows[i] = base + (first + i) * stride }
            _ = rows.withUnsafeMutableBufferPointer { jpeg_write_scanlines(info, $0.baseAddress, JDIMENSION(count)) }
        }
        jpeg_finish_compress(info)
        defer { free(buffer) }
        return buffer.map { Data(bytes: $0, count: Int(size)) } ?? Data()
    }

    /// A small preview: every n-th pixel, so that the width is at most `maxWidth`.
    static func preview(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, components: Int, maxWidth: Int = 480) -> Data {
        let step = max(1, (width + maxWidth - 1) / maxWidth)
        let w = width / step, h = height / step
        guard w > 0, h > 0 else { return encode(pixels, width: width, height: height, components: components) }
        var small = [UInt8](repeating: 0, count: w * h * components)
        for y in 0..<h {
            let source = y * step * width * components
            for x in 0..<w {
                for c in 0..<components { small[(y * w + x) * components + c] = pixels[source + x * step * components + c] }
            }
        }
        return small.withUnsafeBufferPointer { encode($0, width: w, height: h, components: components, quality: 70) }
    }
}
