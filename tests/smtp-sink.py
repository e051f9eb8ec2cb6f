#!/usr/bin/python3
# smtp-sink.py DIR PORTFILE: a real SMTP server (Debian's aiosmtpd) on
# loopback for the mail tests. Each message it accepts is kept whole as
# DIR/NNNNNN.eml; a recipient whose local part starts with "bounce" is
# refused for good (550), "later" for now (451); "slow" takes a fifth of
# a second to accept its message. The port it listens on
# is written to PORTFILE once it accepts connections.
import asyncio
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, where):
        self.where = where
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        local = address.split('@')[0]
        if local.startswith('bounce'):
            return '550 5.1.1 no such mailbox'
        if local.startswith('later'):
            return '451 4.3.0 mailbox busy, try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if any(a.startswith('slow') for a in envelope.rcpt_tos):
            await asyncio.sleep(0.2)
        self.n += 1
        path = os.path.join(self.where, '%06d.eml' % self.n)
        with open(path + '.tmp', 'wb') as f:
            f.write(b'X-Envelope-To: ' +
                    ','.join(envelope.rcpt_tos).encode() + b'\r\n')
            f.write(envelope.original_content)
        os.rename(path + '.tmp', path)
        return '250 2.0.0 accepted'


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    where, portfile = sys.argv[1], sys.argv[2]
    port = free_port()
    c = Controller(Sink(where), hostname='127.0.0.1', port=port,
                   decode_data=False)
    c.start()
    with open(portfile + '.tmp', 'w') as f:
        f.write('%d\n' % port)
    os.rename(portfile + '.tmp', portfile)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


main()
