package io.sendline.edge.api;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which attachments are refused: executables and scripts, by file extension (the last one, so
 * {@code invoice.pdf.exe} is caught), by declared content type, and by the first bytes of the
 * content (Windows PE, ELF, Mach-O, shell scripts), whatever the name says. Mailbox providers
 * reject such mail outright, and accepting it would make Sendline a malware relay.
 */
public final class AttachmentPolicy {

    private static final Set<String> EXTENSIONS =
            Set.of(
                    "ade", "adp", "apk", "app", "appx", "bas", "bat", "cab", "chm", "cmd", "com",
                    "cpl", "dll", "dmg", "exe", "gadget", "hta", "inf", "ins", "iso", "isp", "jar",
                    "js", "jse", "lib", "lnk", "mde", "msc", "msi", "msix", "msp", "mst", "nsh",
                    "pif", "ps1", "ps1xml", "ps2", "psc1", "reg", "scf", "scr", "sct", "sh", "shb",
                    "sys", "vb", "vbe", "vbs", "vhd", "vhdx", "vxd", "wsc", "wsf", "wsh", "xll");

    private static final Set<String> CONTENT_TYPES =
            Set.of(
                    "application/x-msdownload",
                    "application/x-msdos-program",
                    "application/x-ms-installer",
                    "application/x-msi",
                    "application/x-executable",
                    "application/x-elf",
                    "application/x-mach-binary",
                    "application/x-sh",
                    "application/x-csh",
                    "application/x-bat",
                    "application/java-archive",
                    "application/x-java-archive",
                    "application/vnd.microsoft.portable-executable",
                    "application/hta",
                    "application/javascript",
                    "text/javascript",
                    "application/x-javascript",
                    "application/vnd.android.package-archive",
                    "application/x-apple-diskimage");

    private static final Pattern CONTENT_TYPE =
            Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

    private AttachmentPolicy() {}

    /** What is wrong with a file name, or null when it is fine. */
    public static String checkFilename(String name) {
        if (name == null || name.isBlank()) {
            return "filename is required";
        }
        if (name.length() > 255) {
            return "filename is longer than 255 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "filename contains a control character";
            }
            if (c == '/' || c == '\\' || c == '"') {
                return "filename contains / \\ or \"";
            }
        }
        if (name.startsWith(".")) {
            return "filename must not start with a dot";
        }
        String trimmed = name.strip();
        int dot = trimmed.lastIndexOf('.');
        String ext = dot < 0 ? "" : trimmed.substring(dot + 1).toLowerCase(Locale.ROOT).strip();
        if (EXTENSIONS.contains(ext)) {
            return "files of type ." + ext + " are refused (executable or script)";
        }
        return null;
    }

    /** What is wrong with a content type (lower-cased, without parameters), or null. */
    public static String checkContentType(String contentType) {
        if (contentType == null || !CONTENT_TYPE.matcher(contentType).matches()) {
            return "contentType must be a MIME type such as application/pdf";
        }
        if (CONTENT_TYPES.contains(contentType)) {
            return "content type " + contentType + " is refused (executable or script)";
        }
        return null;
    }

    /** What is wrong with the content itself (executable signatures), or null. */
    public static String checkContent(byte[] b) {
        if (b.length >= 2 && b[0] == 'M' && b[1] == 'Z') {
            return "content is a Windows executable";
        }
        if (b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
            return "content is an ELF executable";
        }
        if (b.length >= 4) {
            int magic =
                    ((b[0] & 0xff) << 24)
                            | ((b[1] & 0xff) << 16)
                            | ((b[2] & 0xff) << 8)
                            | (b[3] & 0xff);
            if (magic == 0xfeedface
                    || magic == 0xfeedfacf
                    || magic == 0xcefaedfe
                    || magic == 0xcffaedfe
                    || magic == 0xcafebabe) {
                return "content is a Mach-O executable or Java class";
            }
        }
        if (b.length >= 2 && b[0] == '#' && b[1] == '!') {
            return "content is a script";
        }
        return null;
    }
}
