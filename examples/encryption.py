"""An encrypted connection: give the client the server's public key (PEM).

A local server encrypts when started with a private key (plain connections still work)::

    rtm keygen                               # server-private.pem + server-public.pem
    rtm server --ecc-key server-private.pem
    RTM_PEM=server-public.pem python examples/encryption.py
"""

import os

from rtm import RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")
PEM = os.environ.get("RTM_PEM", "server-public.pem")


def main() -> None:
    client = RTMServerClient(PID, SECRET, ENDPOINT)
    # Before the first call: the key exchange happens when the connection opens.
    client.enable_encryptor(PEM)  # AES-256; reinforce=False for AES-128
    with client:
        mtime = client.send_message(1, 2, 30, "this travels encrypted")
        print("sent over an encrypted connection at", mtime)


if __name__ == "__main__":
    main()
