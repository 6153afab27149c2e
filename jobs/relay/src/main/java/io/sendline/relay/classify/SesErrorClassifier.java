package io.sendline.relay.classify;

import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Classifies an Amazon SES (v2 API) error into an {@link Outcome}, from the error code (the {@code
 * x-amzn-ErrorType} / {@code __type} the SDK exposes as {@code awsErrorDetails().errorCode()}), the
 * HTTP status and the message. No AWS types here, so the table is tested without the SDK:
 *
 * <ul>
 *   <li>Throttling (TooManyRequestsException, LimitExceededException, Throttling..., HTTP 429,
 *       "Maximum sending rate exceeded"): {@link Outcome#THROTTLED}. "Daily message quota exceeded"
 *       is throttled too, with a {@value #DAILY_QUOTA_MINUTES}-minute hint, because the quota is a
 *       rolling 24 h window.
 *   <li>The recipient itself (BadRequest "Illegal address", MessageRejected "Address blacklisted"):
 *       {@link Outcome#PERMANENT_RECIPIENT}.
 *   <li>Account, identity, configuration and content problems (MessageRejected,
 *       MailFromDomainNotVerifiedException, AccountSuspendedException, SendingPausedException,
 *       NotFoundException for a configuration set, AccessDenied, bad signature, other 4xx): {@link
 *       Outcome#PERMANENT_POLICY}: the job fails, the recipient is not suppressed.
 *   <li>Server side or transport (5xx, InternalFailure, ServiceUnavailable, expired credentials
 *       that the SDK refreshes, timeouts, connection errors with no HTTP status): {@link
 *       Outcome#RETRYABLE}.
 * </ul>
 */
public final class SesErrorClassifier {

    /** Hint given for a daily-quota failure when SES gives none. */
    public static final long DAILY_QUOTA_MINUTES = 15;

    private static final Set<String> THROTTLING =
            Set.of(
                    "toomanyrequestsexception",
                    "limitexceededexception",
                    "throttling",
                    "throttlingexception",
                    "throttledexception",
                    "requestthrottled",
                    "requestthrottledexception",
                    "requestlimitexceeded",
                    "slowdown",
                    "bandwidthlimitexceeded",
                    "priorrequestnotcomplete");

    private static final Set<String> RETRYABLE =
            Set.of(
                    "internalfailure",
                    "internalserviceerror",
                    "internalerror",
                    "internalservererror",
                    "serviceunavailable",
                    "serviceunavailableexception",
                    "requesttimeout",
                    "requesttimeoutexception",
                    "expiredtoken",
                    "expiredtokenexception",
                    "requestexpired",
                    "requesttimetooskewed",
                    "idpcommunicationerror");

    private SesErrorClassifier() {}

    /**
     * Classifies one SES error.
     *
     * @param errorCode SES error code, or null when there was no service answer
     * @param httpStatus HTTP status, 0 when there was no answer (timeout, connection error)
     * @param message SES's message (may be null)
     * @param retryAfter a {@code Retry-After} hint from the HTTP response, or null
     */
    public static RelayResult.Failed classify(
            String errorCode, int httpStatus, String message, Duration retryAfter) {
        String code = errorCode == null ? "" : errorCode.strip();
        // Some endpoints send "Code:http://internal.amazon.com/coral/..." in x-amzn-ErrorType.
        int colon = code.indexOf(':');
        if (colon > 0) {
            code = code.substring(0, colon);
        }
        String key = code.toLowerCase(Locale.ROOT);
        String msg = message == null ? "" : message;
        String lowerMsg = msg.toLowerCase(Locale.ROOT);
        Duration hint = retryAfter != null ? retryAfter : RetryHints.parse(msg);

        Outcome outcome;
        if (lowerMsg.contains("daily message quota")) {
            outcome = Outcome.THROTTLED;
            if (hint == null) {
                hint = Duration.ofMinutes(DAILY_QUOTA_MINUTES);
            }
        } else if (THROTTLING.contains(key)
                || httpStatus == 429
                || lowerMsg.contains("maximum sending rate exceeded")
                || lowerMsg.contains("rate exceeded")) {
            outcome = Outcome.THROTTLED;
        } else if (isRecipientProblem(key, lowerMsg)) {
            outcome = Outcome.PERMANENT_RECIPIENT;
        } else if (RETRYABLE.contains(key) || httpStatus >= 500) {
            outcome = Outcome.RETRYABLE;
        } else if (httpStatus >= 400 || !key.isEmpty()) {
            outcome = Outcome.PERMANENT_POLICY;
        } else {
            // No status and no code: the request never got an answer.
            outcome = Outcome.RETRYABLE;
        }
        String detail = code.isEmpty() ? msg : msg.isEmpty() ? code : code + ": " + msg;
        return new RelayResult.Failed(outcome, httpStatus, null, Redaction.detail(detail), hint);
    }

    private static boolean isRecipientProblem(String key, String lowerMsg) {
        if (key.equals("badrequestexception") || key.equals("invalidparametervalue")) {
            return lowerMsg.contains("illegal address")
                    || lowerMsg.contains("invalid address")
                    || lowerMsg.contains("missing final '@domain'")
                    || lowerMsg.contains("domain contains illegal character")
                    || lowerMsg.contains("local address contains");
        }
        if (key.equals("messagerejected")) {
            // SES's global suppression list: the address bounced for every SES customer.
            return lowerMsg.contains("address blacklisted");
        }
        return false;
    }
}
