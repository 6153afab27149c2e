package io.sendline.schemas;

/**
 * Names of payload schemas: {@code EmailJob -> email-job}, the file {@code
 * schemas/email-job.schema.json}. Depends on nothing else, so that the catalogue ({@link Topics},
 * {@link TopicCatalogue}) can be rendered with only this module's classes on the class path.
 */
final class PayloadNames {

    private PayloadNames() {}

    static String kebabCase(Class<?> type) {
        String simple = type.getSimpleName();
        StringBuilder sb = new StringBuilder(simple.length() + 4);
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    sb.append('-');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
