"""Real Microsoft clients (MSAL, azure-identity, msgraph-sdk) against the tenant emulator over https.

Run through Scripts/python-clients.sh, which builds the emulator and the venv. EMULATOR_BIN names the
anchorbridge-emulator binary.
"""

import asyncio
import base64
import datetime
import hashlib
import json
import os
import subprocess
import tempfile

import httpx
import msal
import pytest
from azure.identity import CertificateCredential, ClientSecretCredential
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.user import User
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core import GraphClientFactory, PageIterator

TENANT = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
SECRET_APP = "0a1b2c3d-0000-4000-8000-000000000001"
CERT_APP = "0a1b2c3d-0000-4000-8000-000000000002"
SECRET = "python-client-secret~1"
GRAPH = "https://graph.microsoft.com/.default"


def make_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "python-client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    thumbprint = cert.fingerprint(hashes.SHA1()).hex()
    return key_pem, cert_pem, thumbprint


def tenant_state(cert_pem):
    users = [
        {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "userPrincipalName": f"user{index}@contoso.com",
            "displayName": f"User {index}",
            "mail": f"user{index}@contoso.com",
            "accountEnabled": True,
        }
        for index in range(1, 8)
    ]
    return {
        "tenantId": TENANT,
        "domains": [
            {"id": "contoso.onmicrosoft.com", "authenticationType": "Managed", "isInitial": True},
            {"id": "contoso.com", "authenticationType": "Managed", "isDefault": True},
        ],
        "applications": [
            {"clientId": SECRET_APP, "clientSecret": SECRET, "permissions": ["User.ReadWrite.All"]},
            {"clientId": CERT_APP, "certificatePem": cert_pem, "permissions": ["User.Read.All"]},
        ],
        "users": users,
        "groups": [],
    }


@pytest.fixture(scope="module")
def emulator():
    binary = os.environ["EMULATOR_BIN"]
    folder = tempfile.mkdtemp(prefix="emulator-python-")
    key_pem, cert_pem, thumbprint = make_certificate()
    state_path = os.path.join(folder, "state.json")
    with open(state_path, "w") as handle:
        json.dump(tenant_state(cert_pem), handle)
    ca_path = os.path.join(folder, "ca.pem")
    process = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--state", state_path, "--tls-generate",
         "--tls-ca-out", ca_path, "--auto-approve-user", "user1@contoso.com"],
        stdout=subprocess.PIPE, text=True,
    )
    first = process.stdout.readline().strip()
    second = process.stdout.readline().strip()
    assert first.startswith("listening on 127.0.0.1:"), first
    assert second == f"tls ca {ca_path}", second
    port = int(first.rsplit(":", 1)[1])
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's verify: point them at
    # the emulator's CA too, as anyone trusting a private CA would.
    saved = {name: os.environ.get(name) for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    for name in saved:
        os.environ[name] = ca_path
    yield {
        "base": f"https://127.0.0.1:{port}",
        "host": f"127.0.0.1:{port}",
        "ca": ca_path,
        "key": key_pem,
        "thumbprint": thumbprint,
        "cert": cert_pem,
    }
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    process.terminate()
    process.wait(timeout=10)


def msal_app(emulator, credential, client_id):
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=credential,
        authority=f"{emulator['base']}/{TENANT}",
        instance_discovery=False,
        verify=emulator["ca"],
    )


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_msal_gets_a_token_with_a_secret(emulator):
    result = msal_app(emulator, SECRET, SECRET_APP).acquire_token_for_client(scopes=[GRAPH])
    assert "access_token" in result, result
    token = claims(result["access_token"])
    assert token["tid"] == TENANT and token["appid"] == SECRET_APP
    assert token["roles"] == ["User.ReadWrite.All"]


def test_msal_gets_a_token_with_a_certificate(emulator):
    credential = {"private_key": emulator["key"], "thumbprint": emulator["thumbprint"]}
    result = msal_app(emulator, credential, CERT_APP).acquire_token_for_client(scopes=[GRAPH])
    assert "access_token" in result, result
    assert claims(result["access_token"])["roles"] == ["User.Read.All"]


def test_azure_identity_credentials_get_tokens(emulator):
    options = dict(
        authority=emulator["host"], disable_instance_discovery=True,
        connection_verify=emulator["ca"],
    )
    secret = ClientSecretCredential(TENANT, SECRET_APP, SECRET, **options)
    assert claims(secret.get_token(GRAPH).token)["appid"] == SECRET_APP
    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as handle:
        handle.write(emulator["key"] + emulator["cert"])
    certificate = CertificateCredential(TENANT, CERT_APP, certificate_path=handle.name, **options)
    assert claims(certificate.get_token(GRAPH).token)["appid"] == CERT_APP


def test_msal_device_code_flow_and_refresh_token(emulator):
    app = msal.PublicClientApplication(
        SECRET_APP, authority=f"{emulator['base']}/{TENANT}", instance_discovery=False,
        verify=emulator["ca"],
    )
    scopes = ["https://graph.microsoft.com/User.Read.All"]
    flow = app.initiate_device_flow(scopes=scopes)
    assert "user_code" in flow, flow
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    token = claims(result["access_token"])
    assert token["oid"] == "00000000-0000-4000-8000-000000000001"
    assert token["scp"] == "User.Read.All"
    account = app.get_accounts()[0]
    assert account["username"] == "user1@contoso.com"
    renewed = app.acquire_token_silent(scopes, account=account, force_refresh=True)
    assert renewed and "access_token" in renewed, renewed
    assert renewed["access_token"] != result["access_token"]


class MsalTokenProvider(AccessTokenProvider):
    """Feeds the SDK tokens from MSAL (the SDK's own azure-identity path needs aiohttp)."""

    def __init__(self, app, host):
        self.app = app
        self.validator = AllowedHostsValidator([host])

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.app.acquire_token_for_client(scopes=[GRAPH])["access_token"]

    def get_allowed_hosts_validator(self):
        return self.validator


def graph_client(emulator):
    provider = MsalTokenProvider(msal_app(emulator, SECRET, SECRET_APP), emulator["host"].split(":")[0])
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=emulator["ca"], timeout=30)
    )
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(provider), client=http)
    adapter.base_url = f"{emulator['base']}/v1.0"
    return GraphServiceClient(request_adapter=adapter), adapter


def test_sdk_lists_users_with_the_page_iterator(emulator):
    async def run():
        client, adapter = graph_client(emulator)
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            top=2, select=["id", "userPrincipalName", "onPremisesImmutableId"]
        )
        config = UsersRequestBuilder.UsersRequestBuilderGetRequestConfiguration(query_parameters=query)
        first = await client.users.get(request_configuration=config)
        assert first.odata_next_link is not None
        seen = []
        iterator = PageIterator(first, adapter)
        await iterator.iterate(lambda user: seen.append(user.user_principal_name) or True)
        return seen

    seen = asyncio.run(run())
    assert len(seen) == 7 and len(set(seen)) == 7


def test_sdk_writes_and_clears_the_immutable_id_with_typed_models(emulator):
    user_id = "00000000-0000-4000-8000-000000000003"

    async def read(client):
        query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=["id", "onPremisesImmutableId"]
        )
        config = UserItemRequestBuilder.UserItemRequestBuilderGetRequestConfiguration(
            query_parameters=query
        )
        return (await client.users.by_user_id(user_id).get(request_configuration=config))

    async def run():
        client, _ = graph_client(emulator)
        await client.users.by_user_id(user_id).patch(User(on_premises_immutable_id="UHl0aG9uQW5jaG9y"))
        written = (await read(client)).on_premises_immutable_id
        # The SDK sends an explicit null through additional_data.
        await client.users.by_user_id(user_id).patch(User(additional_data={"onPremisesImmutableId": None}))
        cleared = (await read(client)).on_premises_immutable_id
        return written, cleared

    written, cleared = asyncio.run(run())
    assert written == "UHl0aG9uQW5jaG9y"
    assert cleared is None


def test_sdk_runs_users_delta_through_two_rounds(emulator):
    async def run():
        client, _ = graph_client(emulator)
        page = await client.users.delta.get()
        first_round = list(page.value)
        while page.odata_next_link:
            page = await client.users.delta.with_url(page.odata_next_link).get()
            first_round += page.value
        assert page.odata_delta_link
        await client.users.by_user_id("00000000-0000-4000-8000-000000000005").patch(
            User(display_name="Renamed Five")
        )
        second = await client.users.delta.with_url(page.odata_delta_link).get()
        return first_round, second

    first_round, second = asyncio.run(run())
    assert len(first_round) == 7
    assert [user.display_name for user in second.value] == ["Renamed Five"]
    assert second.odata_delta_link


def test_sdk_reads_errors_as_odata_error(emulator):
    async def run():
        client, _ = graph_client(emulator)
        try:
            await client.users.by_user_id("00000000-0000-4000-8000-999999999999").get()
        except ODataError as error:
            return error
        return None

    error = asyncio.run(run())
    assert error is not None
    assert error.response_status_code == 404
    assert error.error.code == "Request_ResourceNotFound"
