"""A worker job whose module takes 1.5 s to import, as a worker's imports may on a loaded machine."""

import time

time.sleep(1.5)


def job(payload, config, beat):
    beat("job")
    return payload
