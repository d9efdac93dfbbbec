using System.Xml;
using Hangar.Spec.Libvirt;

namespace Hangar.Spec.Tests.Libvirt;

public sealed class XmlErrorTextTests
{
    [Fact]
    public void Describe_RuntimeEnglish_DropsThePositionItEndsWith() =>
        Assert.Equal("There are multiple root elements.", XmlErrorText.Describe(new XmlException("There are multiple root elements. Line 2, position 4.")));

    [Fact]
    public void Describe_ResourceKeysOfTheNativeBuild_AreWords() =>
        // What XmlException.Message is under UseSystemResourceKeys (the native hangar), seen by hand.
        Assert.Equal("there is more than one root element", XmlErrorText.Describe(new XmlException("Xml_MessageWithErrorPosition, Xml_MultipleRoots, 2, 4")));

    [Fact]
    public void Describe_UnknownResourceKey_IsSpelledOutWithItsArguments() =>
        Assert.Equal("some new thing ('lol')", XmlErrorText.Describe(new XmlException("Xml_MessageWithErrorPosition, Xml_SomeNewThingEx, lol, 3, 1")));
}
