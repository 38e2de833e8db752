DEVICE_HEADER = "HTTP_X_DEVICE_ID"
DEVICE_ID_MAX_LENGTH = 64


class DeviceMiddleware:
    """Exposes the handheld's ``X-Device-Id`` as ``request.device_id`` for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device_id = request.META.get(DEVICE_HEADER, "")[:DEVICE_ID_MAX_LENGTH].strip()
        return self.get_response(request)
