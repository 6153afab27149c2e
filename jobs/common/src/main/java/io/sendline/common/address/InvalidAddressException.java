package io.sendline.common.address;

/** An address that cannot be used; the message says why and never contains the address. */
public class InvalidAddressException extends IllegalArgumentException {
    public InvalidAddressException(String message) {
        super(message);
    }
}
