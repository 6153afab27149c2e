package io.sendline.schemas;

/**
 * Kind of email. Transactional mail is urgent and exempt from unsubscribe; marketing is paced and
 * respects it.
 */
public enum EmailType {
    TRANSACTIONAL,
    MARKETING
}
