"""Image tags the sensor watches: the local file under GATA_HOME and SSM parameters."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from gata_assets.resources.image_tags import LocalImageTags, SsmImageTags


def test_local_tags_missing_file_publish_and_update(tmp_path):
    tags = LocalImageTags(path=str(tmp_path / "image_tags.json"))
    assert tags.current_tags() == {}
    tags.publish(finetune="gata-finetune:1")
    assert tags.current_tags() == {"finetune": "gata-finetune:1"}
    tags.publish(inference="gata-inference:4")
    tags.publish(finetune="gata-finetune:2")
    assert tags.current_tags() == {"finetune": "gata-finetune:2", "inference": "gata-inference:4"}


def test_local_tags_half_written_file_is_an_error_not_an_empty_set(tmp_path):
    path = tmp_path / "image_tags.json"
    path.write_text('{"finetune": ')
    with pytest.raises(ValueError, match="not valid JSON"):
        LocalImageTags(path=str(path)).current_tags()


def test_ssm_parameters_per_role(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        ssm = boto3.client("ssm", region_name="eu-west-1")
        source = SsmImageTags(region_name="eu-west-1")
        assert source.current_tags() == {}
        ssm.put_parameter(Name="/gata/images/finetune/tag", Value="1.4.0", Type="String")
        assert source.current_tags() == {"finetune": "1.4.0"}
        ssm.put_parameter(Name="/gata/images/inference/tag", Value="2.0.1", Type="String")
        ssm.put_parameter(
            Name="/gata/images/finetune/tag", Value="1.5.0", Type="String", Overwrite=True
        )
        assert source.current_tags() == {"finetune": "1.5.0", "inference": "2.0.1"}
