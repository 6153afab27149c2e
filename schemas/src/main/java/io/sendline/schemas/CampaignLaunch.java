package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sendline.schemas.flink.LocalTimeTypeInfoFactory;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Start of a campaign: the payload of {@code email.campaigns}, keyed by campaign id. The
 * campaign-expander job reads the recipients from PostgreSQL ({@code campaign_recipient}) in chunks
 * and enqueues one marketing job per recipient, paced and at the local send time.
 *
 * @param campaignId unique id
 * @param templateId template to render
 * @param templateVersion pinned version, or null for the newest at send time
 * @param pool sending pool
 * @param from sender address
 * @param fromName sender display name
 * @param replyTo reply-to address
 * @param localSendTime send at this local time in each recipient's time zone, or null for now
 * @param ratePerMinute how many jobs to enqueue per minute
 * @param tags tags for every job of the campaign
 * @param metadata metadata for every job of the campaign
 * @param launchedAt when it was launched
 */
// The Flink annotation only matters inside Flink; elsewhere (the edge) it is absent at run time and
// the JVM ignores it.
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CampaignLaunch(
        String campaignId,
        String templateId,
        Integer templateVersion,
        String pool,
        String from,
        String fromName,
        String replyTo,
        @TypeInfo(LocalTimeTypeInfoFactory.class) LocalTime localSendTime,
        int ratePerMinute,
        List<String> tags,
        Map<String, String> metadata,
        Instant launchedAt) {}
